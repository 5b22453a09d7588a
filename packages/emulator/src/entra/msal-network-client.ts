import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Request options MSAL passes to a network module (structurally MSAL's `NetworkRequestOptions`). */
export interface MsalNetworkRequestOptions {
  headers?: Record<string, string>;
  body?: string;
}

/** A response for MSAL (structurally MSAL's `NetworkResponse<T>`): lower-case header names, parsed JSON body. */
export interface MsalNetworkResponse<T> {
  headers: Record<string, string>;
  body: T;
  status: number;
}

/** Structurally MSAL's `INetworkModule`, so the emulator needs no MSAL at runtime. */
export interface MsalNetworkModule {
  sendGetRequestAsync<T>(
    url: string,
    options?: MsalNetworkRequestOptions,
    timeout?: number,
  ): Promise<MsalNetworkResponse<T>>;
  sendPostRequestAsync<T>(url: string, options?: MsalNetworkRequestOptions): Promise<MsalNetworkResponse<T>>;
}

/** Options of {@link createMsalNetworkClient}. */
export interface MsalNetworkClientOptions {
  /** PEM CA certificate(s) trusted for https URLs (replaces the default trust store for these requests). */
  caPem: string;
  /**
   * Per-request timeout in ms for requests MSAL sends without one (token POSTs); default none, as
   * MSAL's own client. A timeout surfaces in MSAL as a `network_error`.
   */
  timeoutMs?: number;
}

/** Raised for refused/reset/timed-out requests and unparsable bodies; MSAL reports it as `network_error`. */
export class MsalNetworkClientError extends Error {
  readonly code: 'NETWORK_ERROR' | 'TIMEOUT' | 'INVALID_JSON';
  constructor(code: MsalNetworkClientError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MsalNetworkClientError';
    this.code = code;
  }
}

/**
 * An MSAL network module over node:http/https that trusts the emulator's CA, for
 * `system.networkClient`. Unlike MSAL's fetch client it needs no NODE_EXTRA_CA_CERTS.
 * Non-JSON bodies (e.g. an HTML error page) are rejected, which MSAL turns into `network_error`.
 */
export function createMsalNetworkClient(options: MsalNetworkClientOptions): MsalNetworkModule {
  const send = <T>(
    method: 'GET' | 'POST',
    url: string,
    requestOptions: MsalNetworkRequestOptions | undefined,
    timeoutMs?: number,
  ) =>
    new Promise<MsalNetworkResponse<T>>((resolve, reject) => {
      const target = new URL(url);
      const body = method === 'POST' ? (requestOptions?.body ?? '') : undefined;
      const headers: Record<string, string | number> = { ...(requestOptions?.headers ?? {}) };
      if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const request = send(
        target,
        { method, headers, ca: target.protocol === 'https:' ? options.caPem : undefined },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) =>
            reject(
              new MsalNetworkClientError(
                'NETWORK_ERROR',
                `${method} ${target.origin}${target.pathname} failed: ${error.message}`,
                { cause: error },
              ),
            ),
          );
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: T;
            try {
              parsed = JSON.parse(text) as T;
            } catch (error) {
              reject(
                new MsalNetworkClientError(
                  'INVALID_JSON',
                  `${method} ${target.origin}${target.pathname} answered ${response.statusCode} with a body that is not JSON`,
                  { cause: error },
                ),
              );
              return;
            }
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined)
                responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ status: response.statusCode ?? 0, headers: responseHeaders, body: parsed });
          });
        },
      );
      const effectiveTimeoutMs = timeoutMs ?? options.timeoutMs;
      if (effectiveTimeoutMs !== undefined) {
        request.setTimeout(effectiveTimeoutMs, () =>
          request.destroy(
            new MsalNetworkClientError(
              'TIMEOUT',
              `${method} ${target.origin}${target.pathname} timed out after ${effectiveTimeoutMs} ms`,
            ),
          ),
        );
      }
      request.on('error', (error) =>
        reject(
          error instanceof MsalNetworkClientError
            ? error
            : new MsalNetworkClientError(
                'NETWORK_ERROR',
                `${method} ${target.origin}${target.pathname} failed: ${error.message}`,
                { cause: error },
              ),
        ),
      );
      request.end(body);
    });
  return {
    sendGetRequestAsync: (url, requestOptions, timeout) => send('GET', url, requestOptions, timeout),
    sendPostRequestAsync: (url, requestOptions) => send('POST', url, requestOptions),
  };
}
