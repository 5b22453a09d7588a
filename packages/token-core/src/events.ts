import type { RepeatRequestBasis } from './refresh-schedule';

/** Payloads of the events token-core emits. None of them carries a token value. */
export interface TokenCoreEvents {
  /** A new token was received and its refresh scheduled. */
  tokenAcquired: {
    /** When the new token expires (epoch ms). */
    expiresAtMs: number;
    /** When it was received (epoch ms). */
    receivedAtMs: number;
    /** When it will be refreshed (epoch ms). */
    refreshAtMs: number;
    /** IdP calls this refresh took (1 = first try). */
    attempt: number;
  };
  /**
   * A request returned the token already held (an identity provider that caches hands out the
   * same token until its renewal window): nothing is passed on, and the manager asks again at
   * `nextRequestAtMs` (see `computeRepeatRequestAtMs`).
   */
  tokenUnchanged: {
    /** IdP calls this refresh has taken so far (1 = first try). */
    attempt: number;
    /** Expiry of the token held (epoch ms). */
    expiresAtMs: number;
    /** When the next request will be made (epoch ms). */
    nextRequestAtMs: number;
    /**
     * Why then: `hint` — the identity provider's renewal hint; `poll` — an eighth of the time left.
     */
    basis: RepeatRequestBasis;
  };
  /** A token request failed. */
  refreshFailed: {
    /** Which IdP call of this refresh failed (1 = first try). */
    attempt: number;
    error: unknown;
    /** Whether the failure was classified transient. */
    isRetryable: boolean;
    /** Expiry of the token still in use (epoch ms), if there is one. */
    expiresAtMs: number | undefined;
  };
  /** Another request will be made after `delayMs`; emitted before waiting. */
  retryScheduled: {
    /** Number of the upcoming IdP call in this refresh (2 = first retry). */
    attempt: number;
    /** Wait before it, in milliseconds. */
    delayMs: number;
    /** When it will be made (epoch ms). */
    retryAtMs: number;
    /** The failure that caused the retry. */
    error: unknown;
    /** Expiry of the token still in use (epoch ms), if there is one. */
    expiresAtMs: number | undefined;
  };
  /**
   * The manager gave up on the normal refresh and will make one request after `delayMs`
   * (see `RecoveryPolicyOptions`); emitted for each recovery step, before waiting.
   */
  recoveryScheduled: {
    /** Recovery step of the upcoming request (1 = first). */
    step: number;
    delayMs: number;
    retryAtMs: number;
    /** Why the manager is recovering (typed: `RefreshFailedError` or `TokenExpiredError`). */
    error: unknown;
    /** Expiry of a token still valid (after a permanent error), if there is one. */
    expiresAtMs: number | undefined;
  };
  /** The token expired before a new one could be obtained (the manager recovers unless recovery is off). */
  tokenExpired: {
    expiresAtMs: number;
    /** Failed IdP calls since the refresh began. */
    attempts: number;
    /** The last failure, if any. */
    error: unknown;
  };
  /** A subscriber's or event listener's callback threw; the others still ran. */
  listenerError: {
    error: unknown;
    /** Which callback threw: `onNext`, `onError`, or `event:<name>` for an event listener. */
    source: string;
  };
  /** node-redis reported that re-authenticating a connection failed (`onReAuthenticationError`). */
  reAuthenticationFailed: {
    error: Error;
  };
}

export type TokenCoreEventName = keyof TokenCoreEvents;
