import {
  DEFAULT_RECOVERY_POLICY,
  IdentityProviderError,
  InvalidOptionError,
  type RefreshFailedError,
  recoveryDelayMs,
  resolveRecoveryPolicy,
  type Token,
  TokenExpiredError,
  TokenManager,
  type TokenManagerConfig,
} from '../src';
import { FakeIdentityProvider, type Outcome } from './support/fake-identity-provider';
import { advance, START_MS, useFakeTime } from './support/fake-time';

/** No jitter anywhere, recovery at its documented defaults (1 s doubling to 30 s). */
const config: TokenManagerConfig = {
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMs: 0,
  refreshJitterMs: 0,
  retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, backoffMultiplier: 2, jitterPercentage: 0 },
  recovery: { jitterPercentage: 0 },
};

const transient = () => ({
  error: new IdentityProviderError('HTTP 503', { isRetryable: true, status: 503 }),
});
const permanent = () => ({
  error: new IdentityProviderError('invalid_client', { isRetryable: false, status: 401 }),
});

function harness(script: (call: number) => Outcome<string>, c: TokenManagerConfig = config) {
  const idp = new FakeIdentityProvider<string>(script);
  const manager = new TokenManager<string>(idp, c);
  const tokens: Token<string>[] = [];
  const errors: unknown[] = [];
  const steps: number[] = [];
  manager.events.on('recoveryScheduled', (e) => steps.push(e.delayMs));
  const listener = { onNext: (t: Token<string>) => tokens.push(t), onError: (e: unknown) => errors.push(e) };
  return {
    idp,
    manager,
    tokens,
    errors,
    steps,
    listener,
    callTimes: () => idp.calls.map((x) => x.atMs - START_MS),
  };
}

beforeEach(useFakeTime);
afterEach(() => {
  jest.useRealTimers();
});

describe('recoveryDelayMs', () => {
  it('doubles from 1 s to a 30 s cap with the defaults', () => {
    const policy = resolveRecoveryPolicy({ jitterPercentage: 0 })!;
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((step) => recoveryDelayMs(policy, step))).toEqual([
      1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
    ]);
  });
  it('only ever adds jitter, and never past the cap', () => {
    const policy = resolveRecoveryPolicy(undefined)!;
    expect(policy).toEqual(DEFAULT_RECOVERY_POLICY);
    expect(recoveryDelayMs(policy, 1, () => 0)).toBe(1000);
    expect(recoveryDelayMs(policy, 1, () => 0.999)).toBe(1200);
    expect(recoveryDelayMs(policy, 5, () => 0.999)).toBe(19_197);
    expect(recoveryDelayMs(policy, 6, () => 0.999)).toBe(30_000);
  });
  it('is off with false and rejects bad values naming the option', () => {
    expect(resolveRecoveryPolicy(false)).toBeUndefined();
    expect(() => resolveRecoveryPolicy({ initialDelayMs: 0 })).toThrow(/recovery\.initialDelayMs/);
    expect(() => resolveRecoveryPolicy({ initialDelayMs: 5000, maxDelayMs: 1000 })).toThrow(
      /recovery\.maxDelayMs/,
    );
    expect(() => resolveRecoveryPolicy('fast' as never)).toThrow(InvalidOptionError);
  });
});

describe('TokenManager › recovery', () => {
  it('after a permanent error makes one request per backoff step: ≤ 1 per 30 s after the first minute', async () => {
    const h = harness(() => permanent());
    h.manager.start(h.listener);
    await advance(181_000);
    expect(h.callTimes()).toEqual([0, 1000, 3000, 7000, 15000, 31000, 61000, 91000, 121000, 151000, 181000]);
    const afterFirstMinute = h.callTimes().filter((t) => t > 60_000);
    for (let i = 1; i < afterFirstMinute.length; i++) {
      expect(afterFirstMinute[i]! - afterFirstMinute[i - 1]!).toBeGreaterThanOrEqual(30_000);
    }
    // Each failed step is reported, typed, with the IdP's error as cause.
    expect(h.errors).toHaveLength(h.idp.callCount);
    expect(h.errors[0]).toMatchObject({
      code: 'REFRESH_FAILED',
      reason: 'permanent-error',
      isRetryable: false,
    });
    expect(h.errors[1]).toMatchObject({
      code: 'REFRESH_FAILED',
      reason: 'recovery-failed',
      isRetryable: false,
    });
    expect((h.errors[1] as RefreshFailedError).cause).toBeInstanceOf(IdentityProviderError);
    expect(h.manager.isRunning()).toBe(true);
    h.manager.stop();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('comes back by itself when the identity provider does, then refreshes on the normal schedule', async () => {
    let healthy = false;
    const h = harness((call) => (healthy ? { token: `t${call}`, ttlMs: 10_000 } : transient()));
    h.manager.start(h.listener);
    await advance(20_000);
    // First acquisition: 1 + 3 retries (0, 100, 300, 700), then recovery steps 1, 2, 4, 8 s.
    expect(h.callTimes()).toEqual([0, 100, 300, 700, 1700, 3700, 7700, 15700]);
    healthy = true;
    await advance(16_000);
    expect(h.tokens).toHaveLength(1);
    expect(h.callTimes().at(-1)).toBe(31_700);
    await advance(5_000);
    // Normal refresh at half the lifetime; the next failure would start the backoff over.
    expect(h.tokens).toHaveLength(2);
    expect(h.callTimes().at(-1)).toBe(36_700);
    h.manager.stop();
  });

  it('keeps a still-valid token after a permanent error, reports its expiry, and recovers after it', async () => {
    let script: 'ok' | 'denied' = 'ok';
    const h = harness(() => (script === 'ok' ? { token: 'good', ttlMs: 10_000 } : permanent()));
    h.manager.start(h.listener);
    await advance(0);
    script = 'denied';
    await advance(5_000);
    expect(h.errors).toEqual([expect.objectContaining({ reason: 'permanent-error' })]);
    expect(h.manager.getCurrentToken()?.value).toBe('good');
    await advance(5_000);
    // Expired at 10 s: dropped and reported once, recovery goes on at its own pace.
    expect(h.manager.getCurrentToken()).toBeUndefined();
    expect(h.errors.filter((e) => e instanceof TokenExpiredError)).toHaveLength(1);
    expect(h.callTimes()).toEqual([0, 5000, 6000, 8000]);
    script = 'ok';
    await advance(4_000);
    expect(h.callTimes()).toEqual([0, 5000, 6000, 8000, 12000]);
    expect(h.tokens.map((t) => t.value)).toEqual(['good', 'good']);
    h.manager.stop();
  });

  it('reports TokenExpiredError when an outage outlives the token, then recovers', async () => {
    let down = false;
    const h = harness((call) => (down ? transient() : { token: `t${call}`, ttlMs: 4_000 }));
    h.manager.start(h.listener);
    await advance(0);
    down = true;
    await advance(4_000);
    expect(h.errors).toEqual([expect.any(TokenExpiredError)]);
    expect(h.manager.isRunning()).toBe(true);
    down = false;
    await advance(1_000);
    expect(h.tokens).toHaveLength(2);
  });

  it('cannot be hurried by restarts: stop()/start() continues the backoff instead of requesting at once', async () => {
    const h = harness(() => permanent());
    h.manager.start(h.listener);
    await advance(3_500);
    expect(h.idp.callCount).toBe(3);
    for (let i = 0; i < 20; i++) {
      h.manager.stop();
      h.manager.start(h.listener);
      await advance(100);
    }
    // Next step was due at 7 s; 20 restarts in 2 s added no request.
    expect(h.idp.callCount).toBe(3);
    await advance(1_500);
    expect(h.callTimes()).toEqual([0, 1000, 3000, 7000]);
    h.manager.stop();
  });

  it('honours Retry-After when it asks for longer than the backoff step', async () => {
    const h = harness(() => ({
      error: new IdentityProviderError('throttled', { isRetryable: true, status: 429, retryAfterMs: 45_000 }),
    }));
    h.manager.start(h.listener);
    await advance(100_000);
    const times = h.callTimes();
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(45_000);
    h.manager.stop();
  });
});
