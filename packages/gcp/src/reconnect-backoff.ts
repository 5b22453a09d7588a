import { InvalidOptionError } from '@authx/token-core';

/** Options of {@link createReconnectBackoff}. Every default is in {@link DEFAULT_RECONNECT_BACKOFF}. */
export interface ReconnectBackoffOptions {
  /**
   * The first reconnect waits a uniformly random time in [0, initialDelayMs), in milliseconds; each
   * further attempt doubles the window, up to `maxDelayMs`. 1–2147483647. Default `1000`.
   */
  initialDelayMs?: number;
  /**
   * The largest window, in milliseconds (≥ `initialDelayMs`): once the storm has passed, a
   * connection is back within this long. Default `5000`.
   */
  maxDelayMs?: number;
  /** Random numbers in [0, 1); default `Math.random`. */
  random?: () => number;
}

/**
 * Reconnect delays with full jitter, in the shapes both clients take:
 * `createClient({ socket: { reconnectStrategy: backoff.reconnectStrategy } })` (node-redis) and
 * `new Redis({ retryStrategy: backoff.retryStrategy })` (ioredis).
 */
export interface ReconnectBackoff {
  /** The delay before reconnect attempt `attempt` (0 = the first), in milliseconds. */
  delayMs(attempt: number): number;
  /** node-redis' `socket.reconnectStrategy` (`retries` counts from 0). Never gives up. */
  readonly reconnectStrategy: (retries: number) => number;
  /** ioredis' `retryStrategy` (`times` counts from 1). Never gives up. */
  readonly retryStrategy: (times: number) => number;
}

/** The defaults documented on {@link ReconnectBackoffOptions}. */
export const DEFAULT_RECONNECT_BACKOFF = Object.freeze({ initialDelayMs: 1000, maxDelayMs: 5000 });

const MAX_MS = 2_147_483_647;

/**
 * A reconnect strategy for services that limit how fast new connections may arrive — Memorystore
 * with IAM authentication limits new connections per second. The clients' own strategies retry
 * after `2^n × 50 ms` plus at most 200 ms of jitter, so N connections dropped at once come back
 * within the same few hundred milliseconds, again and again: most are refused, and the refusals
 * repeat in waves. Full jitter spreads them: attempt n waits a uniformly random time in
 * [0, min(maxDelayMs, initialDelayMs × 2^n)), so the first attempts arrive at about
 * N / initialDelayMs per ms and the ones refused come back ever more thinly spread.
 * Invalid options throw `InvalidOptionError` naming the option.
 */
export function createReconnectBackoff(options: ReconnectBackoffOptions = {}): ReconnectBackoff {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const initial = options.initialDelayMs ?? DEFAULT_RECONNECT_BACKOFF.initialDelayMs;
  if (typeof initial !== 'number' || !Number.isFinite(initial) || initial < 1 || initial > MAX_MS) {
    throw new InvalidOptionError(
      'initialDelayMs',
      `a finite number of milliseconds from 1 to ${MAX_MS}`,
      initial,
    );
  }
  const max = options.maxDelayMs ?? Math.max(DEFAULT_RECONNECT_BACKOFF.maxDelayMs, initial);
  if (typeof max !== 'number' || !Number.isFinite(max) || max < initial || max > MAX_MS) {
    throw new InvalidOptionError(
      'maxDelayMs',
      `a finite number of milliseconds from initialDelayMs (${initial}) to ${MAX_MS}`,
      max,
    );
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function')
    throw new InvalidOptionError('random', 'a function returning [0, 1)', random);
  const delayMs = (attempt: number): number => {
    const n = Number.isInteger(attempt) && attempt > 0 ? attempt : 0;
    // 2^31 > MAX_MS: no need to compute larger powers.
    const windowMs = Math.min(max, initial * 2 ** Math.min(n, 31));
    return Math.floor(random() * windowMs);
  };
  return Object.freeze({
    delayMs,
    reconnectStrategy: (retries: number) => delayMs(retries),
    retryStrategy: (times: number) => delayMs(times - 1),
  });
}
