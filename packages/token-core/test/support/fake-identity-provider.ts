import type { IdentityProvider, TokenResponse } from '../../src';

/** What one request does: answer, fail, or hang until aborted. */
export type Outcome<T> = { token: T; ttlMs: number; refreshAfterMs?: number } | { error: unknown } | 'hang';

export interface RecordedCall {
  readonly atMs: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * An identity provider driven by a script: request n gets `script(n)` (n counts from 1). Records
 * every call with the (fake) time and the AbortSignal it received.
 */
export class FakeIdentityProvider<T = string> implements IdentityProvider<T> {
  readonly calls: RecordedCall[] = [];
  #script: (call: number) => Outcome<T>;

  constructor(script: (call: number) => Outcome<T>) {
    this.#script = script;
  }

  /** Replaces the script from the next call on. */
  setScript(script: (call: number) => Outcome<T>): void {
    this.#script = script;
  }

  get callCount(): number {
    return this.calls.length;
  }

  requestToken(signal?: AbortSignal): Promise<TokenResponse<T>> {
    this.calls.push({ atMs: Date.now(), signal });
    const outcome = this.#script(this.calls.length);
    if (outcome === 'hang') {
      return new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    if ('error' in outcome) return Promise.reject(outcome.error);
    const { token, ttlMs, refreshAfterMs } = outcome;
    return Promise.resolve(
      refreshAfterMs === undefined ? { token, ttlMs } : { token, ttlMs, refreshAfterMs },
    );
  }
}

/** Tokens numbered by call: `token-1`, `token-2`, … each living `ttlMs`. */
export function numberedTokens(ttlMs: number): (call: number) => Outcome<string> {
  return (call) => ({ token: `token-${call}`, ttlMs });
}

/**
 * An identity provider's cache, as Azure's managed identity endpoints keep one: token `token-n`
 * lives `lifetimeMs`; every request gets the cached token again until `renewalWindowMs` before its
 * expiry, then a new one. Reads the (fake) clock through Date.now.
 */
export function cachedTokens(lifetimeMs: number, renewalWindowMs: number): (call: number) => Outcome<string> {
  let issued = 0;
  let expiresAtMs = Number.NEGATIVE_INFINITY;
  return () => {
    const nowMs = Date.now();
    if (nowMs >= expiresAtMs - renewalWindowMs) {
      issued++;
      expiresAtMs = nowMs + lifetimeMs;
    }
    return { token: `token-${issued}`, ttlMs: expiresAtMs - nowMs };
  };
}
