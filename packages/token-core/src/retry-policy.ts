import { resolveBackoffFields } from './backoff-options';
import { MAX_TIMER_DELAY_MS } from './clock';
import { InvalidTokenResponseError, RequestTimeoutError } from './errors';
import { functionOption, numberOption, objectOption } from './validate';

/**
 * How failed token requests are retried. Every field is optional; the shape is the one
 * `@redis/entraid`'s `tokenManagerConfig.retry` uses, so existing configurations work unchanged.
 */
export interface RetryPolicyOptions {
  /**
   * Retries after the first failed request of a refresh (so at most `1 + maxAttempts` requests
   * before the manager falls back — see `TokenManagerConfig`). Integer 0–1000. Default 3.
   */
  maxAttempts?: number;
  /** Delay before the first retry, in milliseconds. 0–2147483647. Default 1000 (1 s). */
  initialDelayMs?: number;
  /**
   * Cap on any retry delay, in milliseconds; at least `initialDelayMs`. Also the cadence of the
   * attempts made after the retries are exhausted while the current token is still valid.
   * 0–2147483647. Default 10000 (10 s), or `initialDelayMs` when that is larger.
   */
  maxDelayMs?: number;
  /** Each retry waits this many times longer than the previous one. 1–100. Default 2. */
  backoffMultiplier?: number;
  /**
   * Width of the random jitter, in percent (0–100) of the computed delay, centred on it: 20 means
   * the delay is drawn uniformly from 90 %–110 % of its value (never above `maxDelayMs`). Default 20.
   */
  jitterPercentage?: number;
  /**
   * Classifies a failure as transient (`true`: retry) or permanent (`false`: stop at once).
   * `attempt` is the number of retries already made in this refresh (0 on the first failure).
   * Default: the error's own boolean `isRetryable` if it has one, else `true`.
   * Never consulted for token-core's own `RequestTimeoutError` / `InvalidTokenResponseError`,
   * which are always transient. If it throws, the failure is treated as permanent.
   */
  isRetryable?: (error: unknown, attempt: number) => boolean;
}

/** node-redis' name for the same shape. */
export type RetryPolicy = RetryPolicyOptions;

/** A validated retry policy with every default filled in. */
export interface ResolvedRetryPolicy {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly backoffMultiplier: number;
  readonly jitterPercentage: number;
  readonly isRetryable: (error: unknown, attempt: number) => boolean;
}

/** The defaults documented on {@link RetryPolicyOptions}. */
export const DEFAULT_RETRY_POLICY = Object.freeze({
  maxAttempts: 3,
  initialDelayMs: 1_000,
  maxDelayMs: 10_000,
  backoffMultiplier: 2,
  jitterPercentage: 20,
});

/** Default classifier: trusts a boolean `isRetryable` on the error, otherwise assumes a transient failure. */
export function defaultIsRetryable(error: unknown): boolean {
  const flag =
    typeof error === 'object' && error !== null
      ? (error as { isRetryable?: unknown }).isRetryable
      : undefined;
  return typeof flag === 'boolean' ? flag : true;
}

/** Validates `options` (the option path prefix is `path`) and fills in the defaults. */
export function resolveRetryPolicy(options?: RetryPolicyOptions, path = 'retry'): ResolvedRetryPolicy {
  const o = objectOption<RetryPolicyOptions>(path, options);
  const d = DEFAULT_RETRY_POLICY;
  return Object.freeze({
    maxAttempts: numberOption(`${path}.maxAttempts`, o.maxAttempts, d.maxAttempts, {
      min: 0,
      max: 1000,
      integer: true,
    }),
    ...resolveBackoffFields(path, o, d, 0),
    isRetryable: functionOption(`${path}.isRetryable`, o.isRetryable, defaultIsRetryable),
  });
}

/**
 * Delay before retry number `retry` (1 = first retry), in milliseconds:
 * `min(initialDelayMs × backoffMultiplier^(retry−1), maxDelayMs)`, then jittered by
 * ±jitterPercentage/2 % and kept within 0…maxDelayMs. `random` returns a number in [0, 1).
 */
export function retryDelayMs(
  policy: ResolvedRetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    policy.initialDelayMs * policy.backoffMultiplier ** Math.max(0, retry - 1),
    policy.maxDelayMs,
  );
  return jitterDelayMs(policy, base, random);
}

/** `baseMs` jittered by ±jitterPercentage/2 % and kept within 0…maxDelayMs, rounded to whole milliseconds. */
export function jitterDelayMs(
  policy: ResolvedRetryPolicy,
  baseMs: number,
  random: () => number = Math.random,
): number {
  const base = baseMs;
  const spread = (base * policy.jitterPercentage) / 100;
  const jittered = spread === 0 ? base : base + (random() - 0.5) * spread;
  return Math.round(Math.min(policy.maxDelayMs, Math.max(0, jittered)));
}

/** The `retryAfterMs` hint carried by an error (e.g. from an HTTP Retry-After header), if it is usable. */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const hint = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof hint === 'number' && Number.isFinite(hint) && hint >= 0
    ? Math.min(hint, MAX_TIMER_DELAY_MS)
    : undefined;
}

/** Applies the policy's classifier; token-core's own transient errors bypass it. */
export function classifyFailure(policy: ResolvedRetryPolicy, error: unknown, retriesSoFar: number): boolean {
  if (RequestTimeoutError.isInstance(error) || InvalidTokenResponseError.isInstance(error)) return true;
  try {
    return policy.isRetryable(error, retriesSoFar) === true;
  } catch {
    return false;
  }
}
