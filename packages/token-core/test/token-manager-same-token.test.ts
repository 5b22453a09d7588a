import {
  type BasicAuth,
  IdentityProviderError,
  StreamingCredentialsProvider,
  type Token,
  type TokenCoreEvents,
  TokenExpiredError,
  TokenManager,
  type TokenManagerConfig,
} from '../src';
import { cachedTokens, FakeIdentityProvider, type Outcome } from './support/fake-identity-provider';
import { advance, elapsed, flush, START_MS, useFakeTime } from './support/fake-time';

/** Refresh at 70 % of the lifetime, no jitter: times are exact. */
const exact: TokenManagerConfig = {
  expirationRefreshRatio: 0.7,
  lowerRefreshBoundMs: 0,
  refreshJitterMs: 0,
  retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, backoffMultiplier: 2, jitterPercentage: 0 },
  recovery: { initialDelayMs: 1000, maxDelayMs: 8000, backoffMultiplier: 2, jitterPercentage: 0 },
};

function harness<T = string>(
  script: (call: number) => Outcome<T>,
  config: TokenManagerConfig = exact,
  isSameToken?: (previous: T, next: T) => boolean,
) {
  const idp = new FakeIdentityProvider<T>(script);
  if (isSameToken) Object.assign(idp, { isSameToken });
  const manager = new TokenManager<T>(idp, config);
  const unchanged: Array<TokenCoreEvents['tokenUnchanged'] & { atMs: number }> = [];
  manager.events.on('tokenUnchanged', (payload) => unchanged.push({ ...payload, atMs: elapsed() }));
  const recoveries: number[] = [];
  manager.events.on('recoveryScheduled', () => recoveries.push(elapsed()));
  const tokens: Array<{ atMs: number; token: Token<T> }> = [];
  const errors: unknown[] = [];
  manager.start({
    onNext: (token) => tokens.push({ atMs: elapsed(), token }),
    onError: (error) => errors.push(error),
  });
  return {
    idp,
    manager,
    unchanged,
    recoveries,
    tokens,
    errors,
    callTimes: () => idp.calls.map((c) => c.atMs - START_MS),
  };
}

beforeEach(useFakeTime);
afterEach(() => {
  jest.useRealTimers();
});

describe('TokenManager: a refresh that returns the token already held', () => {
  it('passes nothing on and asks again an eighth of the time left later, until the IdP renews', async () => {
    // An IdP cache that renews 1 000 ms before expiry of a 10 000 ms token.
    const h = harness(cachedTokens(10_000, 1000));
    await advance(9500);
    expect(h.tokens.map((t) => [t.atMs, t.token.value])).toEqual([
      [0, 'token-1'],
      [9243, 'token-2'],
    ]);
    // 7 000 (70 %) → +375 → +329 → +287 → +252: each waits 1/8 of the ttl, then the floor
    // min(minRefreshIntervalMs 500, lifetime / 40 = 250) takes over: +250 until the IdP renews at 9 000.
    expect(h.callTimes()).toEqual([0, 7000, 7375, 7704, 7991, 8243, 8493, 8743, 8993, 9243]);
    expect(h.unchanged.map((u) => u.atMs)).toEqual([7000, 7375, 7704, 7991, 8243, 8493, 8743, 8993]);
    expect(h.unchanged[0]).toMatchObject({
      expiresAtMs: START_MS + 10_000,
      nextRequestAtMs: START_MS + 7375,
      basis: 'poll',
    });
    expect(h.errors).toEqual([]);
    h.manager.stop();
  });

  it('keeps the token held (same object, same expiry) while the IdP repeats it', async () => {
    const h = harness(cachedTokens(10_000, 1000));
    await flush();
    const first = h.manager.getCurrentToken();
    await advance(8000);
    expect(h.unchanged.length).toBeGreaterThan(2);
    expect(h.manager.getCurrentToken()).toBe(first);
    expect(first?.expiresAtMs).toBe(START_MS + 10_000);
    h.manager.stop();
  });

  it('with any renewal window W, the new token arrives with at least min(7/8 × W, W − floor) left', async () => {
    for (const windowMs of [500, 1500, 2500]) {
      jest.setSystemTime(START_MS);
      const h = harness(cachedTokens(10_000, windowMs));
      await advance(10_000);
      const second = h.tokens[1];
      expect(second).toBeDefined();
      const leftMs = START_MS + 10_000 - (START_MS + second.atMs);
      expect(leftMs).toBeGreaterThanOrEqual(Math.min((7 / 8) * windowMs, windowMs - 250));
      h.manager.stop();
    }
  });

  it('asks at the renewal hint the IdP gave, not before', async () => {
    // The IdP says: refresh after 9 000 ms of a 10 000 ms token (after the 70 % point).
    let issued = 0;
    let issuedAtMs = Number.NEGATIVE_INFINITY;
    const h = harness(() => {
      const nowMs = elapsed();
      if (nowMs >= issuedAtMs + 9000) {
        issued++;
        issuedAtMs = nowMs;
      }
      return {
        token: `token-${issued}`,
        ttlMs: issuedAtMs + 10_000 - nowMs,
        refreshAfterMs: issuedAtMs + 9000 - nowMs,
      };
    });
    await advance(9500);
    expect(h.callTimes()).toEqual([0, 9000]);
    expect(h.tokens.map((t) => t.token.value)).toEqual(['token-1', 'token-2']);
    expect(h.unchanged).toEqual([]);
    h.manager.stop();
  });

  it('after a repeated token with a hint, the next request is at the hint', async () => {
    const h = harness((call) =>
      call === 1
        ? { token: 'token-1', ttlMs: 10_000 }
        : call === 2
          ? { token: 'token-1', ttlMs: 3000, refreshAfterMs: 1500 }
          : { token: 'token-2', ttlMs: 10_000 },
    );
    await advance(9000);
    expect(h.callTimes()).toEqual([0, 7000, 8500]);
    expect(h.unchanged).toEqual([
      expect.objectContaining({ basis: 'hint', nextRequestAtMs: START_MS + 8500 }),
    ]);
    h.manager.stop();
  });

  it('a token that the IdP never renews expires as any other, after a bounded number of requests', async () => {
    const h = harness(() => ({
      token: 'forever-the-same',
      ttlMs: Math.max(1, START_MS + 10_000 - Date.now()),
    }));
    await advance(10_000);
    expect(h.errors).toEqual([expect.any(TokenExpiredError)]);
    expect(h.manager.getCurrentToken()).toBeUndefined();
    // The first token, the 70 % refresh, 4 requests at 1/8 of the ttl, then at most 2 000 / 250 at the floor.
    expect(h.idp.callCount).toBeLessThanOrEqual(1 + 1 + 4 + 8);
    expect(h.recoveries.length).toBe(1);
    h.manager.stop();
  });

  it('compares with the provider’s isSameToken (tokens as objects)', async () => {
    type Result = { accessToken: string };
    const cache = cachedTokens(10_000, 1000);
    const h = harness<Result>(
      (call) => {
        const outcome = cache(call) as { token: string; ttlMs: number };
        return { token: { accessToken: outcome.token }, ttlMs: outcome.ttlMs };
      },
      exact,
      (a, b) => a.accessToken === b.accessToken,
    );
    await advance(9500);
    expect(h.tokens.map((t) => t.token.value.accessToken)).toEqual(['token-1', 'token-2']);
    expect(h.unchanged.length).toBeGreaterThan(0);
    h.manager.stop();
  });

  it('treats a token as new when isSameToken throws (never worse than before)', async () => {
    const h = harness(cachedTokens(10_000, 1000), exact, () => {
      throw new Error('cannot compare');
    });
    await advance(7000);
    expect(h.tokens.map((t) => t.token.value)).toEqual(['token-1', 'token-1']);
    expect(h.unchanged).toEqual([]);
    h.manager.stop();
  });

  it('ends a recovery when the IdP answers again with the token still held', async () => {
    const h = harness((call) => {
      if (call === 1) return { token: 'token-1', ttlMs: 10_000 };
      if (call === 2) return { error: new IdentityProviderError('invalid_client', { isRetryable: false }) };
      if (Date.now() - START_MS < 9000) return { token: 'token-1', ttlMs: START_MS + 10_000 - Date.now() };
      return { token: 'token-2', ttlMs: 10_000 };
    });
    await advance(7000); // permanent error → recovery step 1 in 1 000 ms
    expect(h.recoveries).toEqual([7000]);
    await advance(1000); // the IdP answers with token-1 again: recovery is over, polling takes over
    expect(h.unchanged.map((u) => u.atMs)).toEqual([8000]);
    await advance(1500);
    expect(h.tokens.map((t) => t.token.value)).toEqual(['token-1', 'token-2']);
    expect(h.recoveries).toEqual([7000]);
    h.manager.stop();
  });

  it('stop() during the repeats cancels them; start() resumes with one request', async () => {
    const h = harness(cachedTokens(10_000, 1000));
    await advance(7500);
    const calls = h.idp.callCount;
    h.manager.stop();
    await advance(1000);
    expect(h.idp.callCount).toBe(calls);
    h.manager.start({ onNext: (token) => h.tokens.push({ atMs: elapsed(), token }), onError: () => {} });
    await advance(1000);
    expect(h.tokens.map((t) => t.token.value)).toEqual(['token-1', 'token-2']);
    h.manager.stop();
  });
});

describe('StreamingCredentialsProvider: identical credentials are never sent twice', () => {
  it('does not re-send a repeated token from a provider without isSameToken (new objects, same value)', async () => {
    const cache = cachedTokens(10_000, 1000);
    const idp = new FakeIdentityProvider<{ accessToken: string }>((call) => {
      const outcome = cache(call) as { token: string; ttlMs: number };
      return { token: { accessToken: outcome.token }, ttlMs: outcome.ttlMs };
    });
    const provider = new StreamingCredentialsProvider({
      identityProvider: idp,
      tokenManagerConfig: exact,
      credentialsMapper: (token) => ({ username: 'oid', password: token.value.accessToken }),
    });
    const received: BasicAuth[] = [];
    const [initial, subscription] = await provider.subscribe({
      onNext: (credentials) => received.push(credentials),
      onError: () => {},
    });
    expect(initial.password).toBe('token-1');
    await advance(9500);
    // Without isSameToken every repeat looks new to the manager, but the subscribers hear only token-2.
    expect(idp.callCount).toBeGreaterThan(2);
    expect(received.map((c) => c.password)).toEqual(['token-2']);
    subscription.dispose();
    provider.dispose();
  });
});
