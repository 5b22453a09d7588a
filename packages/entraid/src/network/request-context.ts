import { AsyncLocalStorage } from 'node:async_hooks';

/** What one token request attempt knows about its HTTP exchanges. */
export interface IdpRequestContext {
  /** Aborts the attempt's in-flight HTTP requests (token-core's request timeout / dispose). */
  readonly signal?: AbortSignal;
  /** Last non-2xx response of this attempt: MSAL's errors carry no headers, so Retry-After is kept here. */
  lastErrorResponse?: { status: number; retryAfterMs?: number };
}

/**
 * Carries the current attempt's context into the network client MSAL calls. Async-local rather than
 * per instance because MSAL's managed-identity network client is process-global (fixed by the first
 * acquireToken), so one client instance may serve requests of several providers.
 */
export const idpRequestContext = new AsyncLocalStorage<IdpRequestContext>();
