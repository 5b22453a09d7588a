import {
  IdentityProviderError,
  InvalidTokenResponseError,
  RefreshFailedError,
  RequestTimeoutError,
  type Token,
  type TokenCoreEventName,
  type TokenCoreEvents,
  TokenExpiredError,
  TokenManager,
  type TokenManagerConfig,
} from '../src';
import { FakeIdentityProvider, numberedTokens, type Outcome } from './support/fake-identity-provider';
import { advance, elapsed, flush, START_MS, useFakeTime } from './support/fake-time';

const EVENT_NAMES: TokenCoreEventName[] = [
  'tokenAcquired',
  'refreshFailed',
  'retryScheduled',
  'tokenExpired',
  'listenerError',
];

/** No jitter anywhere, so times are exact. Recovery off: these tests pin the stop-on-failure behaviour. */
const exact: TokenManagerConfig = {
  recovery: false,
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMs: 0,
  refreshJitterMs: 0,
  retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, backoffMultiplier: 2, jitterPercentage: 0 },
};

type Recorded = {
  [K in TokenCoreEventName]: { name: K; atMs: number; payload: TokenCoreEvents[K] };
}[TokenCoreEventName];

function harness<T = string>(script: (call: number) => Outcome<T>, config: TokenManagerConfig = exact) {
  const idp = new FakeIdentityProvider<T>(script);
  const manager = new TokenManager<T>(idp, config);
  const events: Recorded[] = [];
  for (const name of EVENT_NAMES) {
    manager.events.on(name, (payload) => events.push({ name, atMs: elapsed(), payload } as Recorded));
  }
  const tokens: Array<{ atMs: number; token: Token<T> }> = [];
  const errors: unknown[] = [];
  const retryable: unknown[] = [];
  const listener = {
    onNext: (token: Token<T>) => tokens.push({ atMs: elapsed(), token }),
    onError: (error: unknown) => errors.push(error),
    onRetryableError: (error: unknown) => retryable.push(error),
  };
  const named = <K extends TokenCoreEventName>(name: K) =>
    events.filter((e) => e.name === name).map((e) => e.payload as TokenCoreEvents[K]);
  return {
    idp,
    manager,
    events,
    named,
    tokens,
    errors,
    retryable,
    listener,
    callTimes: () => idp.calls.map((c) => c.atMs - START_MS),
  };
}

const transient = (message = 'ECONNRESET') => ({
  error: new IdentityProviderError(message, { isRetryable: true }),
});
const permanent = () => ({
  error: new IdentityProviderError('invalid_client', { isRetryable: false, status: 401 }),
});

beforeEach(useFakeTime);
afterEach(() => {
  jest.useRealTimers();
});

describe('TokenManager', () => {
  describe('acquiring and refreshing', () => {
    it('requests a token at start and delivers it to the listener', async () => {
      const h = harness(numberedTokens(60_000));
      h.manager.start(h.listener);
      expect(h.idp.callCount).toBe(1);
      await flush();
      expect(h.tokens.map((t) => t.token.value)).toEqual(['token-1']);
      expect(h.manager.getCurrentToken()).toMatchObject({
        expiresAtMs: START_MS + 60_000,
        receivedAtMs: START_MS,
      });
      expect(h.manager.isRunning()).toBe(true);
      h.manager.stop();
    });

    it('refreshes at the scheduled time and delivers every new token', async () => {
      const h = harness(numberedTokens(60_000));
      h.manager.start(h.listener);
      await advance(29_999);
      expect(h.idp.callCount).toBe(1);
      await advance(1);
      expect(h.idp.callCount).toBe(2);
      await advance(30_000);
      expect(h.callTimes()).toEqual([0, 30_000, 60_000]);
      expect(h.tokens.map((t) => t.token.value)).toEqual(['token-1', 'token-2', 'token-3']);
      h.manager.stop();
    });

    it('emits tokenAcquired with expiry, receipt and refresh time before the listener hears of the token', async () => {
      const h = harness(numberedTokens(60_000));
      const order: string[] = [];
      h.manager.events.on('tokenAcquired', () => order.push('event'));
      h.manager.start({ onNext: () => order.push('listener'), onError: () => {} });
      await flush();
      expect(order).toEqual(['event', 'listener']);
      expect(h.named('tokenAcquired')).toEqual([
        {
          expiresAtMs: START_MS + 60_000,
          receivedAtMs: START_MS,
          refreshAtMs: START_MS + 30_000,
          attempt: 1,
        },
      ]);
      h.manager.stop();
    });

    it('refreshes 2-second tokens about once a second with the defaults: no loop, never after expiry', async () => {
      const h = harness(numberedTokens(2_000), {});
      h.manager.start(h.listener);
      await advance(20_000);
      const times = h.callTimes();
      expect(times.length).toBeGreaterThanOrEqual(20);
      expect(times.length).toBeLessThanOrEqual(26);
      for (let i = 1; i < times.length; i++) {
        expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(800);
        expect(times[i]! - times[i - 1]!).toBeLessThan(2_000);
      }
      expect(h.errors).toEqual([]);
      h.manager.stop();
    });

    it('keeps minRefreshIntervalMs between requests when the identity provider issues 100 ms tokens', async () => {
      const h = harness(numberedTokens(100), {});
      h.manager.start(h.listener);
      await advance(10_000);
      expect(h.idp.callCount).toBe(21);
      h.manager.stop();
    });

    it('waits correctly for a token that outlives what setTimeout can hold', async () => {
      const dayMs = 86_400_000;
      const h = harness(numberedTokens(60 * dayMs), { expirationRefreshRatio: 0.7, refreshJitterMs: 0 });
      h.manager.start(h.listener);
      await advance(41 * dayMs);
      expect(h.idp.callCount).toBe(1);
      await advance(dayMs);
      expect(h.idp.callCount).toBe(2);
      h.manager.stop();
    });
  });

  describe('retries', () => {
    it('waits initialDelayMs × backoffMultiplier^n between attempts (jitter off)', async () => {
      const h = harness((call) => (call <= 3 ? transient() : { token: 'ok', ttlMs: 60_000 }));
      h.manager.start(h.listener);
      await advance(1_000);
      expect(h.callTimes()).toEqual([0, 100, 300, 700]);
      expect(h.named('retryScheduled').map((e) => [e.attempt, e.delayMs])).toEqual([
        [2, 100],
        [3, 200],
        [4, 400],
      ]);
      expect(h.named('refreshFailed').map((e) => [e.attempt, e.isRetryable])).toEqual([
        [1, true],
        [2, true],
        [3, true],
      ]);
      expect(h.named('tokenAcquired')[0]!.attempt).toBe(4);
      expect(h.retryable).toHaveLength(3);
      h.manager.stop();
    });

    it('starts the backoff over for the next refresh after a success', async () => {
      const h = harness((call) =>
        call === 2 || call === 3 ? transient() : { token: `t${call}`, ttlMs: 10_000 },
      );
      h.manager.start(h.listener);
      await advance(5_000 + 100 + 200);
      expect(h.callTimes()).toEqual([0, 5_000, 5_100, 5_300]);
      h.idp.setScript((call) => (call === 5 ? transient() : { token: `t${call}`, ttlMs: 10_000 }));
      await advance(5_000 + 100);
      expect(h.callTimes().slice(4)).toEqual([10_300, 10_400]);
      h.manager.stop();
    });

    it('emits retryScheduled before it waits', async () => {
      const h = harness((call) => (call === 1 ? transient() : { token: 'ok', ttlMs: 60_000 }));
      h.manager.start(h.listener);
      await flush();
      expect(h.events.map((e) => [e.name, e.atMs])).toEqual([
        ['refreshFailed', 0],
        ['retryScheduled', 0],
      ]);
      expect(h.named('retryScheduled')[0]).toMatchObject({
        retryAtMs: START_MS + 100,
        delayMs: 100,
        expiresAtMs: undefined,
      });
      h.manager.stop();
    });

    it('honours a Retry-After hint longer than the backoff delay', async () => {
      const throttled = new IdentityProviderError('429', {
        isRetryable: true,
        retryAfterMs: 5_000,
        status: 429,
      });
      const h = harness((call) => (call === 1 ? { error: throttled } : { token: 'ok', ttlMs: 60_000 }));
      h.manager.start(h.listener);
      await advance(4_999);
      expect(h.idp.callCount).toBe(1);
      await advance(1);
      expect(h.callTimes()).toEqual([0, 5_000]);
      expect(h.named('retryScheduled')[0]!.delayMs).toBe(5_000);
      h.manager.stop();
    });

    it('counts a hung request as a transient failure after requestTimeoutMs and aborts its signal', async () => {
      const h = harness((call) => (call === 1 ? 'hang' : { token: 'ok', ttlMs: 60_000 }), {
        ...exact,
        requestTimeoutMs: 2_000,
      });
      h.manager.start(h.listener);
      await advance(1_999);
      const signal = h.idp.calls[0]!.signal!;
      expect(signal.aborted).toBe(false);
      await advance(1);
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBeInstanceOf(RequestTimeoutError);
      const failure = h.named('refreshFailed')[0]!;
      expect(failure.error).toBeInstanceOf(RequestTimeoutError);
      expect(failure.isRetryable).toBe(true);
      await advance(100);
      expect(h.callTimes()).toEqual([0, 2_100]);
      expect(h.tokens).toHaveLength(1);
      h.manager.stop();
    });

    it('treats a timeout as transient even when isRetryable says otherwise', async () => {
      const h = harness((call) => (call === 1 ? 'hang' : { token: 'ok', ttlMs: 60_000 }), {
        requestTimeoutMs: 1_000,
        retry: { initialDelayMs: 10, jitterPercentage: 0, isRetryable: () => false },
      });
      h.manager.start(h.listener);
      await advance(1_010);
      expect(h.idp.callCount).toBe(2);
      expect(h.tokens).toHaveLength(1);
      h.manager.stop();
    });

    it.each([
      ['a zero ttlMs', { token: 'x', ttlMs: 0 }],
      ['a NaN ttlMs', { token: 'x', ttlMs: Number.NaN }],
      ['a missing token', { token: null, ttlMs: 1_000 }],
    ])('retries after an unusable response with %s', async (_what, response) => {
      const h = harness<unknown>((call) =>
        call === 1 ? (response as Outcome<unknown>) : { token: 'ok', ttlMs: 60_000 },
      );
      h.manager.start(h.listener);
      await advance(100);
      expect(h.named('refreshFailed')[0]!.error).toBeInstanceOf(InvalidTokenResponseError);
      expect(h.tokens.map((t) => t.token.value)).toEqual(['ok']);
      h.manager.stop();
    });

    it('retries after a response that is not an object', async () => {
      const idp = {
        calls: 0,
        requestToken: async () => (++idp.calls === 1 ? (42 as never) : { token: 'ok', ttlMs: 60_000 }),
      };
      const manager = new TokenManager(idp, exact);
      const onNext = jest.fn();
      manager.start({ onNext, onError: () => {} });
      await advance(100);
      expect(idp.calls).toBe(2);
      expect(onNext).toHaveBeenCalledTimes(1);
      manager.stop();
    });

    it('treats a synchronous throw from requestToken as a failed request', async () => {
      let calls = 0;
      const idp = {
        requestToken: () => {
          calls++;
          if (calls === 1) throw new TypeError('bug in adapter');
          return Promise.resolve({ token: 'ok', ttlMs: 60_000 });
        },
      };
      const manager = new TokenManager(idp, exact);
      const onNext = jest.fn();
      manager.start({ onNext, onError: () => {} });
      await advance(100);
      expect(calls).toBe(2);
      expect(onNext).toHaveBeenCalledTimes(1);
      manager.stop();
    });
  });

  describe('permanent errors', () => {
    it('stops after exactly one call on the first acquisition, with a typed error', async () => {
      const h = harness(() => permanent());
      h.manager.start(h.listener);
      await advance(3_600_000);
      expect(h.idp.callCount).toBe(1);
      expect(h.errors).toHaveLength(1);
      const error = h.errors[0] as RefreshFailedError;
      expect(error).toBeInstanceOf(RefreshFailedError);
      expect(error).toMatchObject({
        code: 'REFRESH_FAILED',
        reason: 'permanent-error',
        attempts: 1,
        isRetryable: false,
      });
      expect(error.cause).toBeInstanceOf(IdentityProviderError);
      expect(h.manager.isRunning()).toBe(false);
      expect(h.named('retryScheduled')).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('stops a refresh at once, without retrying, and keeps the still-valid token', async () => {
      const h = harness((call) => (call === 1 ? { token: 'good', ttlMs: 60_000 } : permanent()));
      h.manager.start(h.listener);
      await advance(30_000);
      expect(h.idp.callCount).toBe(2);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0]).toMatchObject({ reason: 'permanent-error', attempts: 1 });
      expect(h.manager.getCurrentToken()?.value).toBe('good');
      expect(jest.getTimerCount()).toBe(0);
      await advance(3_600_000);
      expect(h.idp.callCount).toBe(2);
      expect(h.named('tokenExpired')).toEqual([]);
    });

    it("follows the policy's isRetryable, passing the number of retries made so far", async () => {
      const attempts: number[] = [];
      const h = harness(() => transient(), {
        ...exact,
        retry: {
          ...exact.retry,
          isRetryable: (_error, attempt) => {
            attempts.push(attempt);
            return attempt < 2;
          },
        },
      });
      h.manager.start(h.listener);
      await advance(10_000);
      expect(attempts).toEqual([0, 1, 2]);
      expect(h.idp.callCount).toBe(3);
      expect(h.errors[0]).toMatchObject({ reason: 'permanent-error', attempts: 3 });
    });
  });

  describe('when the retries are used up', () => {
    it('fails the first acquisition after 1 + maxAttempts calls', async () => {
      const h = harness(() => transient());
      h.manager.start(h.listener);
      await advance(10_000);
      expect(h.callTimes()).toEqual([0, 100, 300, 700]);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0]).toMatchObject({
        code: 'REFRESH_FAILED',
        reason: 'retries-exhausted',
        attempts: 4,
        isRetryable: true,
      });
      expect(jest.getTimerCount()).toBe(0);
    });

    it('keeps trying at maxDelayMs while the token is valid, then reports its expiry', async () => {
      const config: TokenManagerConfig = {
        ...exact,
        retry: {
          maxAttempts: 2,
          initialDelayMs: 1_000,
          maxDelayMs: 5_000,
          backoffMultiplier: 2,
          jitterPercentage: 0,
        },
      };
      const h = harness((call) => (call === 1 ? { token: 'only', ttlMs: 60_000 } : transient()), config);
      h.manager.start(h.listener);
      await advance(59_999);
      expect(h.callTimes()).toEqual([0, 30_000, 31_000, 33_000, 38_000, 43_000, 48_000, 53_000, 58_000]);
      expect(h.errors).toEqual([]);
      expect(h.named('tokenExpired')).toEqual([]);
      await advance(1);
      expect(h.named('tokenExpired')).toEqual([
        { expiresAtMs: START_MS + 60_000, attempts: 8, error: expect.any(IdentityProviderError) },
      ]);
      expect(h.events.find((e) => e.name === 'tokenExpired')!.atMs).toBe(60_000);
      expect(h.errors).toHaveLength(1);
      const error = h.errors[0] as TokenExpiredError;
      expect(error).toBeInstanceOf(TokenExpiredError);
      expect(error).toMatchObject({ code: 'TOKEN_EXPIRED', expiredAtMs: START_MS + 60_000, attempts: 8 });
      expect(error.cause).toBeInstanceOf(IdentityProviderError);
      expect(h.manager.getCurrentToken()).toBeUndefined();
      expect(h.manager.isRunning()).toBe(false);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('aborts a request still in flight when the token expires', async () => {
      const h = harness(
        (call) => (call === 1 ? { token: 'only', ttlMs: 10_000 } : call === 2 ? transient() : 'hang'),
        {
          ...exact,
          requestTimeoutMs: 60_000,
        },
      );
      h.manager.start(h.listener);
      await advance(9_999);
      expect(h.callTimes()).toEqual([0, 5_000, 5_100]);
      const inFlight = h.idp.calls[2]!.signal!;
      expect(inFlight.aborted).toBe(false);
      await advance(1);
      expect(inFlight.aborted).toBe(true);
      expect(h.errors).toEqual([expect.any(TokenExpiredError)]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('recovers when the identity provider comes back before expiry', async () => {
      const h = harness((call) =>
        call === 1
          ? { token: 'first', ttlMs: 10_000 }
          : call < 4
            ? transient()
            : { token: 'second', ttlMs: 10_000 },
      );
      h.manager.start(h.listener);
      await advance(5_300);
      expect(h.tokens.map((t) => t.token.value)).toEqual(['first', 'second']);
      await advance(5_000);
      expect(h.named('tokenExpired')).toEqual([]);
      expect(h.named('refreshFailed').map((e) => e.expiresAtMs)).toEqual([
        START_MS + 10_000,
        START_MS + 10_000,
      ]);
      h.manager.stop();
    });

    it('reports expiry at once when a refresh fails after the token has already expired', async () => {
      // 100 ms tokens with a 500 ms minimum spacing: the refresh necessarily comes after expiry.
      const h = harness((call) => (call === 1 ? { token: 'short', ttlMs: 100 } : transient()), {
        recovery: false,
      });
      h.manager.start(h.listener);
      await advance(500);
      expect(h.idp.callCount).toBe(2);
      expect(h.errors[0]).toBeInstanceOf(TokenExpiredError);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('stop and restart', () => {
    it('stop() cancels every timer and aborts the request in flight, ignoring its late answer', async () => {
      let answer: ((value: { token: string; ttlMs: number }) => void) | undefined;
      const signals: AbortSignal[] = [];
      const idp = {
        requestToken: (signal?: AbortSignal) => {
          signals.push(signal!);
          return new Promise<{ token: string; ttlMs: number }>((resolve) => {
            answer = resolve;
          });
        },
      };
      const manager = new TokenManager(idp, exact);
      const onNext = jest.fn();
      const handle = manager.start({ onNext, onError: () => {} });
      handle.dispose();
      handle.dispose();
      expect(signals[0]!.aborted).toBe(true);
      expect(jest.getTimerCount()).toBe(0);
      answer!({ token: 'late', ttlMs: 60_000 });
      await flush();
      expect(onNext).not.toHaveBeenCalled();
      expect(manager.getCurrentToken()).toBeUndefined();
    });

    it('waits for the refresh time of a still-valid token when started again', async () => {
      const h = harness(numberedTokens(60_000));
      h.manager.start(h.listener);
      await advance(10_000);
      h.manager.stop();
      expect(jest.getTimerCount()).toBe(0);
      h.manager.start(h.listener);
      expect(h.idp.callCount).toBe(1);
      await advance(20_000);
      expect(h.callTimes()).toEqual([0, 30_000]);
      h.manager.stop();
    });

    it('does not let quick restarts call the identity provider more often than minRefreshIntervalMs', async () => {
      const h = harness((call) => (call === 1 ? { token: 'good', ttlMs: 60_000 } : permanent()), {
        ...exact,
        minRefreshIntervalMs: 1_000,
      });
      h.manager.start(h.listener);
      await advance(30_000);
      for (let i = 0; i < 5; i++) {
        h.manager.start(h.listener);
        await advance(100);
      }
      expect(h.idp.callCount).toBe(2);
      await advance(1_000);
      expect(h.idp.callCount).toBe(3);
    });

    it('requests a new token at once when started again after the token expired', async () => {
      const h = harness((call) => (call === 1 ? { token: 'a', ttlMs: 1_000 } : permanent()), exact);
      h.manager.start(h.listener);
      await advance(500);
      expect(h.errors).toHaveLength(1);
      await advance(1_000);
      h.idp.setScript(() => ({ token: 'b', ttlMs: 1_000 }));
      h.manager.start(h.listener);
      expect(h.idp.callCount).toBe(3);
      await flush();
      expect(h.manager.getCurrentToken()?.value).toBe('b');
      h.manager.stop();
    });

    it('treats a restart after the kept token expired as a first acquisition, retried per policy', async () => {
      const h = harness((call) => (call === 1 ? { token: 'a', ttlMs: 1_000 } : permanent()), exact);
      h.manager.start(h.listener);
      await advance(2_000);
      expect(h.manager.getCurrentToken()?.isExpired(Date.now())).toBe(true);
      h.idp.setScript((call) => (call === 3 ? transient() : { token: 'b', ttlMs: 1_000 }));
      h.manager.start(h.listener);
      await advance(100);
      expect(h.idp.callCount).toBe(4);
      expect(h.errors).toHaveLength(1);
      expect(h.manager.getCurrentToken()?.value).toBe('b');
      h.manager.stop();
    });

    it('restarts when started while running, and an old Disposable does not stop the new run', async () => {
      const h = harness(numberedTokens(60_000));
      const first = h.manager.start(h.listener);
      await flush();
      h.manager.start(h.listener);
      first.dispose();
      expect(h.manager.isRunning()).toBe(true);
      h.manager[Symbol.dispose]();
      expect(h.manager.isRunning()).toBe(false);
      h.manager.dispose();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('listeners', () => {
    it("reports a throwing listener as 'listenerError' and keeps refreshing", async () => {
      const h = harness(numberedTokens(10_000));
      const boom = new Error('listener bug');
      h.manager.start({
        onNext: () => {
          throw boom;
        },
        onError: () => {},
      });
      await advance(5_000);
      expect(h.idp.callCount).toBe(2);
      expect(h.named('listenerError')).toEqual([
        { error: boom, source: 'onNext' },
        { error: boom, source: 'onNext' },
      ]);
      h.manager.stop();
    });

    it('stops cleanly when an event listener stops the manager', async () => {
      const h = harness(() => transient());
      h.manager.events.on('refreshFailed', () => h.manager.stop());
      h.manager.start(h.listener);
      await advance(1_000);
      expect(h.idp.callCount).toBe(1);
      expect(h.named('retryScheduled')).toEqual([]);
      expect(h.errors).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});

describe('TokenManager options', () => {
  it('rejects an identity provider without requestToken, a malformed clock and a non-function random', () => {
    const idp = new FakeIdentityProvider(numberedTokens(1_000));
    expect(() => new TokenManager({} as never)).toThrow(
      'Invalid option "identityProvider": expected an object with a requestToken(signal) method, got a value of type object',
    );
    expect(() => new TokenManager(idp, {}, { clock: { now: () => 0 } as never })).toThrow(
      'Invalid option "clock": expected an object with now(), setTimeout() and clearTimeout() methods',
    );
    expect(() => new TokenManager(idp, {}, { random: 0.5 as never })).toThrow(
      'Invalid option "random": expected a function, got 0.5',
    );
  });

  it('reads time and waits only through the injected clock', async () => {
    const timers: Array<{ fn: () => void; atMs: number } | undefined> = [];
    let nowMs = 1_000;
    const clock = {
      now: () => nowMs,
      setTimeout: (fn: () => void, ms: number) => timers.push({ fn, atMs: nowMs + ms }) - 1,
      clearTimeout: (handle: unknown) => {
        timers[handle as number] = undefined;
      },
    };
    const idp = new FakeIdentityProvider(numberedTokens(10_000));
    const manager = new TokenManager(idp, exact, { clock });
    const onNext = jest.fn();
    manager.start({ onNext, onError: () => {} });
    await flush();
    expect(manager.getCurrentToken()).toMatchObject({ receivedAtMs: 1_000, expiresAtMs: 11_000 });
    const refreshIndex = timers.findIndex((t) => t?.atMs === 6_000);
    const refresh = timers[refreshIndex]!;
    timers[refreshIndex] = undefined;
    nowMs = 6_000;
    refresh.fn();
    await flush();
    expect(idp.callCount).toBe(2);
    expect(manager.getCurrentToken()).toMatchObject({ receivedAtMs: 6_000 });
    expect(jest.getTimerCount()).toBe(0);
    manager.stop();
    expect(timers.filter(Boolean)).toHaveLength(0);
  });
});
