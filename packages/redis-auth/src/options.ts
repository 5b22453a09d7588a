import { type BasicAuth, type Clock, InvalidOptionError, systemClock } from '@authx/token-core';
import { jwtExpiresAtMs } from './jwt-expiry';

/** Options of {@link createRedisAuth} / {@link bindCredentials}. */
export interface RedisAuthOptions {
  /**
   * Delay before the first retry of a failed re-authentication, in milliseconds; doubles on each
   * further failure up to `reauthMaxDelayMs`. Retries go on while the connection is alive and
   * stale. Default `100`.
   */
  reauthInitialDelayMs?: number;
  /** Upper bound of the delay between re-authentication retries, in milliseconds. Default `5000`. */
  reauthMaxDelayMs?: number;
  /**
   * When credentials stop working (epoch ms), or `undefined` when unknown. Used to report
   * re-authentications that cannot happen in time (a connection blocked in `BLPOP`) and to retry
   * before expiry. Default: the `exp` claim when the password is a JWT (e.g. an Entra ID token).
   */
  expiresAtMs?: (credentials: BasicAuth) => number | undefined;
  /**
   * Label prefix of this binding's connections in events, e.g. `orders` → `orders/client#1`.
   * Never contains credentials. Default `''` (labels like `client#1`).
   */
  label?: string;
  /** Time source; default the system clock (timers unref'd, so the binding never keeps a process alive). */
  clock?: Clock;
}

export interface ResolvedRedisAuthOptions {
  readonly reauthInitialDelayMs: number;
  readonly reauthMaxDelayMs: number;
  readonly expiresAtMs: (credentials: BasicAuth) => number | undefined;
  readonly label: string;
  readonly clock: Clock;
}

export const DEFAULT_REDIS_AUTH_OPTIONS = Object.freeze({
  reauthInitialDelayMs: 100,
  reauthMaxDelayMs: 5000,
  label: '',
});

export function resolveRedisAuthOptions(options: RedisAuthOptions = {}): ResolvedRedisAuthOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const initial = options.reauthInitialDelayMs ?? DEFAULT_REDIS_AUTH_OPTIONS.reauthInitialDelayMs;
  if (!Number.isFinite(initial) || initial < 1) {
    throw new InvalidOptionError('reauthInitialDelayMs', 'a finite number of milliseconds >= 1', initial);
  }
  const max = options.reauthMaxDelayMs ?? DEFAULT_REDIS_AUTH_OPTIONS.reauthMaxDelayMs;
  if (!Number.isFinite(max) || max < initial) {
    throw new InvalidOptionError(
      'reauthMaxDelayMs',
      `a finite number of milliseconds >= reauthInitialDelayMs (${initial})`,
      max,
    );
  }
  if (options.expiresAtMs !== undefined && typeof options.expiresAtMs !== 'function') {
    throw new InvalidOptionError(
      'expiresAtMs',
      'a function (credentials) => epoch milliseconds | undefined',
      options.expiresAtMs,
    );
  }
  const label = options.label ?? DEFAULT_REDIS_AUTH_OPTIONS.label;
  if (typeof label !== 'string') throw new InvalidOptionError('label', 'a string', label);
  const clock = options.clock ?? systemClock;
  if (
    typeof clock?.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    throw new InvalidOptionError('clock', 'a Clock { now, setTimeout, clearTimeout }', clock);
  }
  return Object.freeze({
    reauthInitialDelayMs: initial,
    reauthMaxDelayMs: max,
    expiresAtMs: options.expiresAtMs ?? jwtExpiresAtMs,
    label,
    clock,
  });
}
