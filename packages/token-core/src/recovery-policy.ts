import { resolveBackoffFields } from './backoff-options';
import { objectOption } from './validate';

/**
 * How a token manager keeps trying after it has given up on a refresh: after a permanent error,
 * after the retries of a first acquisition are used up, or once the token in use has expired.
 * It then makes ONE request per step, with exponential backoff, for as long as it runs — so a
 * service comes back by itself after an identity-provider outage of any length, and a permanent
 * error (wrong secret, disabled identity) never turns into a request storm.
 *
 * With the defaults the steps are 1, 2, 4, 8, 16 s, then every 30 s: six requests in the first
 * minute, then at most one per 30 s.
 */
export interface RecoveryPolicyOptions {
  /** Wait before the first recovery request, in milliseconds. 1–2147483647. Default 1000 (1 s). */
  initialDelayMs?: number;
  /**
   * Cap on the wait between recovery requests, in milliseconds; at least `initialDelayMs`.
   * Jitter never takes a wait past it, so this is also the slowest cadence. 1–2147483647.
   * Default 30000 (30 s).
   */
  maxDelayMs?: number;
  /** Each wait is this many times the previous one. 1–100. Default 2. */
  backoffMultiplier?: number;
  /**
   * Random extra wait, in percent (0–100) of the computed wait, so that processes that failed
   * together do not retry together; never past `maxDelayMs`. Default 20.
   */
  jitterPercentage?: number;
}

export interface ResolvedRecoveryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly backoffMultiplier: number;
  readonly jitterPercentage: number;
}

/** The defaults documented on {@link RecoveryPolicyOptions}. */
export const DEFAULT_RECOVERY_POLICY: ResolvedRecoveryPolicy = Object.freeze({
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  backoffMultiplier: 2,
  jitterPercentage: 20,
});

/** Validates `options` (`false` turns recovery off) and fills in the defaults. */
export function resolveRecoveryPolicy(
  options: RecoveryPolicyOptions | false | undefined,
  path = 'recovery',
): ResolvedRecoveryPolicy | undefined {
  if (options === false) return undefined;
  const o = objectOption<RecoveryPolicyOptions>(path, options);
  return Object.freeze(resolveBackoffFields(path, o, DEFAULT_RECOVERY_POLICY, 1));
}

/**
 * Wait before recovery step `step` (1 = first), in whole milliseconds (pure):
 * `min(maxDelayMs, base × (1 + random × jitterPercentage / 100))` with
 * `base = min(initialDelayMs × backoffMultiplier^(step − 1), maxDelayMs)`.
 */
export function recoveryDelayMs(
  policy: ResolvedRecoveryPolicy,
  step: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(
    policy.initialDelayMs * policy.backoffMultiplier ** Math.max(0, step - 1),
    policy.maxDelayMs,
  );
  const jittered = base * (1 + (random() * policy.jitterPercentage) / 100);
  return Math.round(Math.min(policy.maxDelayMs, jittered));
}
