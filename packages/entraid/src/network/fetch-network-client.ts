import {
  AuthError,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { idpRequestContext } from './request-context';

/**
 * MSAL's default HTTP behaviour (global fetch, JSON body, same error codes: `network_error`,
 * `token_parsing_error`) plus cancellation: every request also listens to the current attempt's
 * AbortSignal, so a hung identity endpoint is really abandoned, not only raced.
 */
export class FetchNetworkClient implements INetworkModule {
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

  async #send<T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeoutMs?: number,
  ): Promise<NetworkResponse<T>> {
    const signals: AbortSignal[] = [];
    const attemptSignal = idpRequestContext.getStore()?.signal;
    if (attemptSignal) signals.push(attemptSignal);
    if (timeoutMs) signals.push(AbortSignal.timeout(timeoutMs));
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: options?.headers,
        body: method === 'POST' ? (options?.body ?? '') : undefined,
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
      });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${describeCause(error)}` : 'unknown';
      throw new AuthError('network_error', '', `Network request failed: ${reason}`);
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    let body: T;
    try {
      body = (await response.json()) as T;
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unknown';
      throw new AuthError(
        'token_parsing_error',
        '',
        `Failed to parse response (HTTP ${response.status}): ${reason}`,
      );
    }
    return { headers, body, status: response.status };
  }
}

// undici reports "fetch failed" with the socket error as cause: keep the useful part.
function describeCause(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error)
    return `${error.message} (${(cause as NodeJS.ErrnoException).code ?? cause.name}: ${cause.message})`;
  return error.message;
}
