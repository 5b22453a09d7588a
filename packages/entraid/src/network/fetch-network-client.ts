import {
  AuthError,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { invalidOption } from '../invalid-option';
import { optionalObject } from '../validate';
import { parseRetryAfterMs } from './parse-retry-after';
import { idpRequestContext } from './request-context';

/**
 * An undici `Dispatcher` — `Agent`, `ProxyAgent`, … from the `undici` package — which Node's global
 * fetch accepts as its `dispatcher`. Declared structurally: this package does not depend on undici.
 */
export interface FetchDispatcher {
  dispatch(options: unknown, handler: unknown): boolean;
}

/** Options of {@link FetchNetworkClient}. */
export interface FetchNetworkClientOptions {
  /**
   * Passed to every fetch as `dispatcher`: e.g. `new Agent({ connect: { ca } })` from `undici` to
   * trust a private CA in-process, or a `ProxyAgent`. Default: fetch's global dispatcher (the
   * system trust store plus NODE_EXTRA_CA_CERTS, no proxy).
   */
  dispatcher?: FetchDispatcher;
}

/**
 * The network client every MSAL flow of this package uses unless `msalConfig.system.networkClient`
 * replaces it: MSAL's default HTTP behaviour (global fetch, JSON body, same error codes:
 * `network_error`, `token_parsing_error`) plus cancellation — every request also listens to the
 * current attempt's AbortSignal, so a hung identity endpoint is really abandoned, not only raced.
 * Construct one yourself to give it a `dispatcher` (private CA, proxy) and pass it as
 * `msalConfig.system.networkClient`.
 */
export class FetchNetworkClient implements INetworkModule {
  readonly #dispatcher: FetchDispatcher | undefined;

  constructor(options: FetchNetworkClientOptions = {}) {
    const dispatcher = optionalObject<FetchDispatcher>('dispatcher', options?.dispatcher);
    if (dispatcher !== undefined && typeof dispatcher.dispatch !== 'function') {
      throw invalidOption('dispatcher', 'an undici Dispatcher (an object with dispatch())', dispatcher);
    }
    this.#dispatcher = dispatcher;
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
        ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      } as RequestInit);
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
    } catch {
      // MSAL never sees this response (an HTML error page, say): keep its status and Retry-After
      // for the classification, as ObservingNetworkClient does for the responses MSAL does see.
      const context = idpRequestContext.getStore();
      if (context && !response.ok) {
        context.lastErrorResponse = {
          status: response.status,
          retryAfterMs: parseRetryAfterMs(headers, Date.now()),
        };
      }
      // The parser's message quotes the body, which the server controls (a proxy page may echo the
      // request, secrets included): name the content type only.
      const type = headers['content-type']?.split(';')[0] || 'no content type';
      throw new AuthError(
        'token_parsing_error',
        '',
        `Failed to parse response (HTTP ${response.status}, ${type}): the body is not JSON`,
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
