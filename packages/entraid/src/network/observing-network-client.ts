import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { parseRetryAfterMs } from './parse-retry-after';
import { idpRequestContext } from './request-context';

/**
 * Wraps a network client and records each non-2xx response (status, Retry-After) in the current
 * attempt's context: MSAL's ServerError keeps the status but drops the headers.
 */
export class ObservingNetworkClient implements INetworkModule {
  readonly #inner: INetworkModule;
  readonly #nowMs: () => number;

  constructor(inner: INetworkModule, nowMs: () => number = Date.now) {
    this.#inner = inner;
    this.#nowMs = nowMs;
  }

  async sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeoutMs?: number,
  ): Promise<NetworkResponse<T>> {
    return this.#observe(await this.#inner.sendGetRequestAsync<T>(url, options, timeoutMs));
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.#observe(await this.#inner.sendPostRequestAsync<T>(url, options));
  }

  #observe<T>(response: NetworkResponse<T>): NetworkResponse<T> {
    const context = idpRequestContext.getStore();
    if (context && (response.status < 200 || response.status >= 300)) {
      context.lastErrorResponse = {
        status: response.status,
        retryAfterMs: parseRetryAfterMs(response.headers, this.#nowMs()),
      };
    }
    return response;
  }
}
