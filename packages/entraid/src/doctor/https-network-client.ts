import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  AuthError,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';

/**
 * MSAL's network module over node:http(s) with an explicit CA list, for the doctor's `--ca-file`
 * (this package does not depend on undici, which fetch would need for a private CA in-process).
 * Failures are MSAL's `network_error` / `token_parsing_error`, as with its own client.
 */
export class HttpsNetworkClient implements INetworkModule {
  readonly #ca: string[] | undefined;
  readonly #timeoutMs: number;

  constructor(ca: string[] | undefined, timeoutMs: number) {
    this.#ca = ca;
    this.#timeoutMs = timeoutMs;
  }

  sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeoutMs?: number,
  ): Promise<NetworkResponse<T>> {
    return this.#send<T>('GET', url, options, timeoutMs);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.#send<T>('POST', url, options);
  }

  #send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeoutMs = this.#timeoutMs,
  ): Promise<NetworkResponse<T>> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const body = method === 'POST' ? (options?.body ?? '') : undefined;
      const headers: Record<string, string | number> = { ...(options?.headers ?? {}) };
      if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(
        target,
        {
          method,
          headers,
          timeout: timeoutMs,
          ...(target.protocol === 'https:' && this.#ca ? { ca: this.#ca } : {}),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => reject(networkError(error)));
          response.on('end', () => {
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined)
                responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            let parsed: T;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
            } catch {
              reject(
                new AuthError(
                  'token_parsing_error',
                  '',
                  `Failed to parse response (HTTP ${response.statusCode}): the body is not JSON`,
                ),
              );
              return;
            }
            resolve({ headers: responseHeaders, body: parsed, status: response.statusCode ?? 0 });
          });
        },
      );
      request.on('timeout', () =>
        request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
      );
      request.on('error', (error) => reject(networkError(error)));
      request.end(body);
    });
  }
}

function networkError(error: Error): AuthError {
  const code = (error as NodeJS.ErrnoException).code;
  return new AuthError(
    'network_error',
    '',
    `Network request failed: ${code ?? error.name}: ${error.message}`,
  );
}
