import { AsyncLocalStorage } from 'node:async_hooks';

/** What one token request attempt knows about its HTTP exchanges. */
export interface IdpRequestContext {
  /** Aborts the attempt's in-flight HTTP requests (token-core's request timeout / dispose). */
  readonly signal?: AbortSignal;
  /** Last non-2xx response of this attempt: MSAL's errors carry no headers, so Retry-After is kept here. */
  lastErrorResponse?: { status: number; retryAfterMs?: number };
}

const storage = new AsyncLocalStorage<IdpRequestContext>();
let attemptsInFlight = 0;

/**
 * Carries the current attempt's context into the network client MSAL calls. Async-local rather than
 * per instance because MSAL's managed-identity network client is process-global (fixed by the first
 * acquireToken), so one client instance may serve requests of several providers.
 *
 * On Node 20 an active AsyncLocalStorage keeps promise hooks on for the whole process, which costs
 * every later promise — several per Redis command (≈ 10 % of pipelined throughput, measured). So
 * the storage is enabled only while a token request is in flight and disabled when the last ends.
 */
export const idpRequestContext = {
  getStore(): IdpRequestContext | undefined {
    return storage.getStore();
  },

  async run<T>(context: IdpRequestContext, attempt: () => Promise<T>): Promise<T> {
    attemptsInFlight++;
    try {
      return await storage.run(context, attempt);
    } finally {
      attemptsInFlight--;
      if (attemptsInFlight === 0) storage.disable();
    }
  },
};
