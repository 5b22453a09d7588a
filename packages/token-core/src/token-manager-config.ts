import { MAX_TIMER_DELAY_MS } from './clock';
import {
  DEFAULT_RECOVERY_POLICY,
  type RecoveryPolicyOptions,
  type ResolvedRecoveryPolicy,
  resolveRecoveryPolicy,
} from './recovery-policy';
import {
  DEFAULT_RETRY_POLICY,
  type ResolvedRetryPolicy,
  type RetryPolicyOptions,
  resolveRetryPolicy,
} from './retry-policy';
import { numberOption, objectOption } from './validate';

/**
 * When and how a `TokenManager` refreshes. Every field is optional; the shape is a superset of
 * `@redis/entraid`'s `tokenManagerConfig`.
 *
 * The refresh is scheduled at the earlier of `expirationRefreshRatio × lifetime` and
 * `expiry − lowerRefreshBoundMs`, moved earlier by a random jitter. With the defaults an ordinary
 * Entra ID token (60–90 min) is refreshed after 70 % of its life and a 10-minute token 5–6 minutes
 * before expiry — always more than the 3 minutes Azure asks for.
 */
export interface TokenManagerConfig {
  /**
   * Fraction of the token's lifetime after which it is refreshed: 0.7 refreshes when 70 % has
   * elapsed. Greater than 0, at most 1. Default 0.7.
   */
  expirationRefreshRatio?: number;
  /**
   * Refresh at least this many milliseconds before expiry. It never pulls the refresh earlier than
   * half the token's lifetime, so short-lived tokens are not refreshed in a tight loop.
   * 0–2147483647. Default 300000 (5 min).
   */
  lowerRefreshBoundMs?: number;
  /**
   * The refresh is moved earlier (never later) by a random amount up to this many milliseconds, at
   * most 10 % of the token's lifetime, so processes sharing an identity do not all call the
   * identity provider at the same instant. 0 disables jitter. 0–2147483647. Default 60000 (1 min).
   */
  refreshJitterMs?: number;
  /**
   * Minimum spacing, in milliseconds, between receiving a token and requesting the next one, and
   * between attempts once retries are exhausted — a guard against an identity provider that issues
   * near-expired tokens. 0–2147483647. Default 500.
   */
  minRefreshIntervalMs?: number;
  /**
   * A token request that has not settled after this many milliseconds is aborted (its AbortSignal
   * fires) and counted as a transient failure (`RequestTimeoutError`). 1–2147483647. Default 30000 (30 s).
   */
  requestTimeoutMs?: number;
  /** How failed requests are retried; see {@link RetryPolicyOptions}. */
  retry?: RetryPolicyOptions;
  /**
   * What happens once a refresh has failed for good (permanent error, retries used up without a
   * valid token, or expiry): by default the manager keeps going with one request per step of an
   * exponential backoff (1 s doubling to 30 s) until a request succeeds; see
   * {@link RecoveryPolicyOptions}. `false` restores the old behaviour: stop and wait for `start()`.
   */
  recovery?: RecoveryPolicyOptions | false;
}

/** A validated configuration with every default filled in. */
export interface ResolvedTokenManagerConfig {
  readonly expirationRefreshRatio: number;
  readonly lowerRefreshBoundMs: number;
  readonly refreshJitterMs: number;
  readonly minRefreshIntervalMs: number;
  readonly requestTimeoutMs: number;
  readonly retry: ResolvedRetryPolicy;
  /** `undefined` when recovery is off. */
  readonly recovery: ResolvedRecoveryPolicy | undefined;
}

/** The defaults documented on {@link TokenManagerConfig}. */
export const DEFAULT_TOKEN_MANAGER_CONFIG = Object.freeze({
  expirationRefreshRatio: 0.7,
  lowerRefreshBoundMs: 300_000,
  refreshJitterMs: 60_000,
  minRefreshIntervalMs: 500,
  requestTimeoutMs: 30_000,
  retry: DEFAULT_RETRY_POLICY,
  recovery: DEFAULT_RECOVERY_POLICY,
});

/** Validates a configuration (throwing `InvalidOptionError` naming the option) and fills in the defaults. */
export function resolveTokenManagerConfig(config?: TokenManagerConfig): ResolvedTokenManagerConfig {
  const c = objectOption<TokenManagerConfig>('tokenManagerConfig', config);
  const d = DEFAULT_TOKEN_MANAGER_CONFIG;
  const ms = { min: 0, max: MAX_TIMER_DELAY_MS };
  return Object.freeze({
    expirationRefreshRatio: numberOption(
      'expirationRefreshRatio',
      c.expirationRefreshRatio,
      d.expirationRefreshRatio,
      {
        min: 0,
        minExclusive: true,
        max: 1,
      },
    ),
    lowerRefreshBoundMs: numberOption(
      'lowerRefreshBoundMs',
      c.lowerRefreshBoundMs,
      d.lowerRefreshBoundMs,
      ms,
    ),
    refreshJitterMs: numberOption('refreshJitterMs', c.refreshJitterMs, d.refreshJitterMs, ms),
    minRefreshIntervalMs: numberOption(
      'minRefreshIntervalMs',
      c.minRefreshIntervalMs,
      d.minRefreshIntervalMs,
      ms,
    ),
    requestTimeoutMs: numberOption('requestTimeoutMs', c.requestTimeoutMs, d.requestTimeoutMs, {
      min: 1,
      max: MAX_TIMER_DELAY_MS,
    }),
    retry: resolveRetryPolicy(c.retry, 'retry'),
    recovery: resolveRecoveryPolicy(c.recovery, 'recovery'),
  });
}
