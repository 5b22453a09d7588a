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
 * 4. never earlier than the identity provider's renewal hint (`renewableAt`, when it is before
 *    expiry): a request before then would only return the same token;
 * 5. never earlier than `receivedAt + minRefreshIntervalMs`.
 *
 * So the refresh is always before expiry unless the token lives less than `minRefreshIntervalMs`.
 */
export function computeRefreshAtMs(
  token: { readonly receivedAtMs: number; readonly expiresAtMs: number; readonly renewableAtMs?: number },
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
  let target = Math.min(byRatio, byBound) - random() * jitterWindowMs;
  const hintMs = usableHintMs(token);
  if (hintMs !== undefined) target = Math.max(target, hintMs);
  return Math.max(Math.floor(target), token.receivedAtMs + timing.minRefreshIntervalMs);
}

/**
 * After a refresh returned the token already held, each next request waits this share of the time
 * the token has left — so the requests thin out as expiry nears from far away and stay close
 * together near it: a renewal window of W before expiry is noticed with at least 7/8 × W left.
 */
export const REPEAT_REQUEST_SHARE_OF_TTL = 1 / 8;

/** The shortest wait between repeated requests, as a share of the token's lifetime (see below). */
export const MIN_REPEAT_SHARE_OF_LIFETIME = 1 / 40;

/**
 * When to ask again after a request returned the token already held (pure). An identity provider
 * that caches (Azure's managed identity endpoints, `@azure/identity`, MSAL) hands out the same
 * token until its own renewal window opens, typically 5 minutes before expiry. In order:
 *
 * 1. the provider's renewal hint (`renewableAt`) when it is still ahead and before expiry;
 * 2. otherwise `now + max(ttl × 1/8, min(minRefreshIntervalMs, lifetime / 40))` — each repeat waits
 *    an eighth of the time left, never less than the floor, so a renewal window of W before expiry
 *    is noticed with at least 7/8 × W left (5-minute caches: ≥ 4 min 22 s), going from ttl T to W
 *    takes about log(T/W) / log(8/7) requests (a 60-minute token refreshed at 70 %: 10 requests
 *    over 13 minutes), and a provider that never renews costs a bounded number of requests
 *    before the token expires (expiry is then handled as any expiry).
 */
export function computeRepeatRequestAtMs(
  token: { readonly receivedAtMs: number; readonly expiresAtMs: number; readonly renewableAtMs?: number },
  nowMs: number,
  timing: Pick<RefreshTiming, 'minRefreshIntervalMs'>,
): { atMs: number; basis: RepeatRequestBasis } {
  const lifetimeMs = Math.max(0, token.expiresAtMs - token.receivedAtMs);
  const floorMs = Math.min(timing.minRefreshIntervalMs, lifetimeMs * MIN_REPEAT_SHARE_OF_LIFETIME);
  const hintMs = usableHintMs(token);
  if (hintMs !== undefined && hintMs > nowMs) {
    return { atMs: Math.ceil(Math.max(hintMs, nowMs + floorMs)), basis: 'hint' };
  }
  const waitMs = Math.max(floorMs, (token.expiresAtMs - nowMs) * REPEAT_REQUEST_SHARE_OF_TTL);
  return { atMs: Math.ceil(nowMs + waitMs), basis: 'poll' };
}

/** What {@link computeRepeatRequestAtMs} based its time on. */
export type RepeatRequestBasis = 'hint' | 'poll';

/** The renewal hint when it lies inside the token's life, else undefined. */
function usableHintMs(token: {
  readonly receivedAtMs: number;
  readonly expiresAtMs: number;
  readonly renewableAtMs?: number;
}): number | undefined {
  const hintMs = token.renewableAtMs;
  if (hintMs === undefined || !Number.isFinite(hintMs)) return undefined;
  return hintMs > token.receivedAtMs && hintMs < token.expiresAtMs ? hintMs : undefined;
}
