import type { TokenCoreEvents } from './events';
import type { TypedEvents } from './typed-events';

/**
 * Where a provider's credentials are, for health checks:
 * - `idle`: no token and no request under way (nothing subscribed yet);
 * - `valid`: a valid token, its refresh not yet due;
 * - `refreshing`: a request is under way with no failure yet (the first one, or a due refresh while the token is valid);
 * - `retrying`: requests are failing, but the current token is still valid (or none was ever obtained and the failures are transient);
 * - `expired`: the token expired while requests were failing; the manager keeps recovering;
 * - `failed`: no valid token and the last failure is permanent (wrong secret, unknown identity…), or the manager stopped on it.
 * Only `valid`, `refreshing` and `retrying` have a usable token.
 */
export type CredentialsStatusState = 'idle' | 'valid' | 'refreshing' | 'retrying' | 'expired' | 'failed';

/** A snapshot of a provider's credentials; see `StreamingCredentialsProvider.status()`. No token in it. */
export interface CredentialsStatus {
  readonly state: CredentialsStatusState;
  /** True for `valid`, `refreshing` and `retrying`: the current token may be used. */
  readonly usable: boolean;
  /** Expiry of the current token (epoch ms), if there is one (also when expired). */
  readonly expiresAtMs: number | undefined;
  /** When the current token is (was) due for refresh (epoch ms). */
  readonly refreshAtMs: number | undefined;
  /** When the next retry / recovery request is due (epoch ms), while one is scheduled. */
  readonly nextAttemptAtMs: number | undefined;
  /** Failed requests since the last token was obtained. */
  readonly failedAttempts: number;
  /** The last failure since the last token: its stable `code` (else its name), and when (epoch ms). */
  readonly lastError: { readonly code: string; readonly atMs: number } | undefined;
}

/** What the events have told so far (the data behind {@link CredentialsStatus}). */
export interface CredentialsRecord {
  readonly token: { readonly expiresAtMs: number; readonly refreshAtMs: number } | undefined;
  readonly failedAttempts: number;
  readonly lastError:
    | { readonly code: string; readonly atMs: number; readonly isRetryable: boolean }
    | undefined;
  readonly nextAttemptAtMs: number | undefined;
}

export const INITIAL_CREDENTIALS_RECORD: CredentialsRecord = Object.freeze({
  token: undefined,
  failedAttempts: 0,
  lastError: undefined,
  nextAttemptAtMs: undefined,
});

/** An event as {@link nextCredentialsRecord} reads it. */
export type CredentialsRecordEvent =
  | { readonly name: 'tokenAcquired'; readonly payload: TokenCoreEvents['tokenAcquired'] }
  | {
      readonly name: 'refreshFailed';
      readonly payload: TokenCoreEvents['refreshFailed'];
      readonly atMs: number;
    }
  | { readonly name: 'retryScheduled'; readonly payload: TokenCoreEvents['retryScheduled'] }
  | { readonly name: 'recoveryScheduled'; readonly payload: TokenCoreEvents['recoveryScheduled'] };

/** Pure: the record after one event. */
export function nextCredentialsRecord(
  record: CredentialsRecord,
  event: CredentialsRecordEvent,
): CredentialsRecord {
  switch (event.name) {
    case 'tokenAcquired':
      return {
        token: { expiresAtMs: event.payload.expiresAtMs, refreshAtMs: event.payload.refreshAtMs },
        failedAttempts: 0,
        lastError: undefined,
        nextAttemptAtMs: undefined,
      };
    case 'refreshFailed':
      return {
        ...record,
        failedAttempts: record.failedAttempts + 1,
        lastError: {
          code: errorCode(event.payload.error),
          atMs: event.atMs,
          isRetryable: event.payload.isRetryable,
        },
        nextAttemptAtMs: undefined,
      };
    case 'retryScheduled':
    case 'recoveryScheduled':
      return { ...record, nextAttemptAtMs: event.payload.retryAtMs };
  }
}

/** Pure: the status a record stands for at `nowMs`, given whether the refresh loop runs. */
export function credentialsStatus(
  record: CredentialsRecord,
  nowMs: number,
  running: boolean,
): CredentialsStatus {
  const { token, failedAttempts, lastError } = record;
  const valid = token !== undefined && nowMs < token.expiresAtMs;
  let state: CredentialsStatusState;
  if (valid) {
    if (failedAttempts > 0) state = 'retrying';
    else state = running && nowMs >= token.refreshAtMs ? 'refreshing' : 'valid';
  } else if (failedAttempts > 0 && (lastError?.isRetryable === false || !running)) {
    state = 'failed';
  } else if (failedAttempts > 0) {
    state = token === undefined ? 'retrying' : 'expired';
  } else {
    // An expired token and no failure yet: a restarted loop is requesting a new one.
    state = running ? 'refreshing' : 'idle';
  }
  return {
    state,
    usable: state === 'valid' || state === 'refreshing' || state === 'retrying',
    expiresAtMs: token?.expiresAtMs,
    refreshAtMs: token?.refreshAtMs,
    nextAttemptAtMs: record.nextAttemptAtMs,
    failedAttempts,
    lastError: lastError ? { code: lastError.code, atMs: lastError.atMs } : undefined,
  };
}

/** Keeps a {@link CredentialsRecord} up to date from a token manager's events. */
export class CredentialsStatusTracker {
  #record: CredentialsRecord = INITIAL_CREDENTIALS_RECORD;

  constructor(events: TypedEvents<TokenCoreEvents>, now: () => number) {
    events.on('tokenAcquired', (payload) => this.#apply({ name: 'tokenAcquired', payload }));
    events.on('refreshFailed', (payload) => this.#apply({ name: 'refreshFailed', payload, atMs: now() }));
    events.on('retryScheduled', (payload) => this.#apply({ name: 'retryScheduled', payload }));
    events.on('recoveryScheduled', (payload) => this.#apply({ name: 'recoveryScheduled', payload }));
  }

  get record(): CredentialsRecord {
    return this.#record;
  }

  #apply(event: CredentialsRecordEvent): void {
    this.#record = nextCredentialsRecord(this.#record, event);
  }
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; errorCode?: unknown; name?: unknown } | null;
  if (typeof e?.code === 'string' && e.code !== '') return e.code;
  if (typeof e?.errorCode === 'string' && e.errorCode !== '') return e.errorCode;
  return typeof e?.name === 'string' ? e.name : 'UNKNOWN';
}
