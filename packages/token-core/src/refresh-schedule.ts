import type { ResolvedTokenManagerConfig } from './token-manager-config';

/** Share of a token's lifetime that the refresh jitter may take at most. */
export const MAX_JITTER_SHARE_OF_LIFETIME = 0.1;

/** The refresh-timing part of the token manager configuration. */
export type RefreshTiming = Pick<
  ResolvedTokenManagerConfig,
  'expirationRefreshRatio' | 'lowerRefreshBoundMs' | 'refreshJitterMs' | 'minRefreshIntervalMs'
>;

/**
 * When to refresh a token, in milliseconds since the Unix epoch (pure; `random` returns [0, 1)):
 *
 * 1. `byRatio = receivedAt + expirationRefreshRatio × lifetime`
 * 2. `byBound = max(expiresAt − lowerRefreshBoundMs, receivedAt + lifetime / 2)`
 * 3. `target = min(byRatio, byBound) − random × min(refreshJitterMs, 10 % of lifetime)`
 * 4. never earlier than `receivedAt + minRefreshIntervalMs`.
 *
 * So the refresh is always before expiry unless the token lives less than `minRefreshIntervalMs`.
 */
export function computeRefreshAtMs(
  token: { readonly receivedAtMs: number; readonly expiresAtMs: number },
  timing: RefreshTiming,
  random: () => number = Math.random,
): number {
  const lifetimeMs = Math.max(0, token.expiresAtMs - token.receivedAtMs);
  const byRatio = token.receivedAtMs + timing.expirationRefreshRatio * lifetimeMs;
  const byBound = Math.max(
    token.expiresAtMs - timing.lowerRefreshBoundMs,
    token.receivedAtMs + lifetimeMs / 2,
  );
  const jitterWindowMs = Math.min(timing.refreshJitterMs, lifetimeMs * MAX_JITTER_SHARE_OF_LIFETIME);
  const target = Math.min(byRatio, byBound) - random() * jitterWindowMs;
  return Math.max(Math.floor(target), token.receivedAtMs + timing.minRefreshIntervalMs);
}
