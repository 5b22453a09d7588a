import { invalidOption } from '../invalid-option';

/** Default of `stateTtlMs`: 15 minutes, time enough for a sign-in with MFA. */
export const DEFAULT_STATE_TTL_MS = 15 * 60_000;

/** Default of `maxPendingStates`. */
export const DEFAULT_MAX_PENDING_STATES = 1000;

/** Options of {@link PendingStates}. */
export interface PendingStatesOptions {
  /** How long an issued state is accepted, in milliseconds. */
  ttlMs: number;
  /** At most this many states wait for their redirect; issuing one more forgets the oldest. */
  maxEntries: number;
  /** Reads the clock (epoch milliseconds). */
  nowMs: () => number;
}

/**
 * The `state` values issued with authorization URLs that still await their redirect. Each is
 * accepted once, within `ttlMs`; the set never holds more than `maxEntries`, so URLs that are
 * generated but never completed (a user who closes the tab) cannot grow it without bound.
 */
export class PendingStates {
  // Insertion order is issue order, so the first entries are the oldest.
  readonly #issuedAtMs = new Map<string, number>();
  readonly #options: PendingStatesOptions;

  constructor(options: PendingStatesOptions) {
    this.#options = options;
  }

  /** Number of states still waiting (expired ones included until the next add or take). */
  get size(): number {
    return this.#issuedAtMs.size;
  }

  /** Remembers `state` as issued now (re-issuing one restarts its time). */
  add(state: string): void {
    const nowMs = this.#options.nowMs();
    this.#forgetExpired(nowMs);
    this.#issuedAtMs.delete(state);
    while (this.#issuedAtMs.size >= this.#options.maxEntries) {
      const oldest = this.#issuedAtMs.keys().next().value as string;
      this.#issuedAtMs.delete(oldest);
    }
    this.#issuedAtMs.set(state, nowMs);
  }

  /** True, once, when `state` was issued (compared exactly) and has not expired. */
  take(state: string): boolean {
    const nowMs = this.#options.nowMs();
    this.#forgetExpired(nowMs);
    const issuedAtMs = this.#issuedAtMs.get(state);
    if (issuedAtMs === undefined) return false;
    this.#issuedAtMs.delete(state);
    // Checked here too: after the clock stepped back, an expired state can sit behind a newer one.
    return nowMs - issuedAtMs < this.#options.ttlMs;
  }

  #forgetExpired(nowMs: number): void {
    for (const [state, issuedAtMs] of this.#issuedAtMs) {
      if (nowMs - issuedAtMs < this.#options.ttlMs) return;
      this.#issuedAtMs.delete(state);
    }
  }
}

/** Validates `stateTtlMs` / `maxPendingStates` and fills in the defaults. */
export function pendingStatesLimits(options: { stateTtlMs?: unknown; maxPendingStates?: unknown }): {
  ttlMs: number;
  maxEntries: number;
} {
  const ttlMs = options.stateTtlMs ?? DEFAULT_STATE_TTL_MS;
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 1) {
    throw invalidOption('stateTtlMs', 'a number of milliseconds ≥ 1', ttlMs);
  }
  const maxEntries = options.maxPendingStates ?? DEFAULT_MAX_PENDING_STATES;
  if (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 1) {
    throw invalidOption('maxPendingStates', 'an integer ≥ 1', maxEntries);
  }
  return { ttlMs, maxEntries };
}
