import type { RedisClientOptions } from 'redis';
import {
  type BasicAuth,
  CredentialsMappingError,
  DisposedError,
  IdentityProviderError,
  InvalidOptionError,
  RefreshFailedError,
  type StreamingCredentialsListener,
  StreamingCredentialsProvider,
  type StreamingCredentialsProviderOptions,
  type Token,
  TokenExpiredError,
  type TokenManagerConfig,
} from '../src';
import { FakeIdentityProvider, numberedTokens, type Outcome } from './support/fake-identity-provider';
import { advance, flush, useFakeTime } from './support/fake-time';

const exact: TokenManagerConfig = {
  expirationRefreshRatio: 0.5,
  lowerRefreshBoundMs: 0,
  refreshJitterMs: 0,
  retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 1000, backoffMultiplier: 2, jitterPercentage: 0 },
};

const toCredentials = (token: Token<string>): BasicAuth => ({ username: 'app', password: token.value });

function setup(
  script: (call: number) => Outcome<string>,
  options: Partial<StreamingCredentialsProviderOptions<string>> = {},
) {
  const idp = new FakeIdentityProvider(script);
  const provider = new StreamingCredentialsProvider<string>({
    identityProvider: idp,
    tokenManagerConfig: exact,
    credentialsMapper: toCredentials,
    ...options,
  });
  return { idp, provider };
}

class RecordingListener implements StreamingCredentialsListener<BasicAuth> {
  readonly next: BasicAuth[] = [];
  readonly errors: Error[] = [];
  onNext(credentials: BasicAuth): void {
    this.next.push(credentials);
  }
  onError(error: Error): void {
    this.errors.push(error);
  }
}

const permanent = () => ({ error: new IdentityProviderError('invalid_client', { isRetryable: false }) });
const transient = () => ({ error: new IdentityProviderError('ECONNRESET', { isRetryable: true }) });

beforeEach(useFakeTime);
afterEach(() => {
  jest.useRealTimers();
});

describe('StreamingCredentialsProvider', () => {
  describe('shape', () => {
    it("is accepted by node-redis' credentialsProvider option as is", () => {
      const { provider } = setup(numberedTokens(60_000));
      const options: RedisClientOptions = { credentialsProvider: provider };
      expect(options.credentialsProvider?.type).toBe('streaming-credentials-provider');
      expect(jest.getTimerCount()).toBe(0);
    });

    it('validates its options', () => {
      const idp = new FakeIdentityProvider(numberedTokens(1_000));
      expect(
        () =>
          new StreamingCredentialsProvider({
            identityProvider: {} as never,
            credentialsMapper: toCredentials,
          }),
      ).toThrow(
        'Invalid option "identityProvider": expected an object with a requestToken(signal) method, got a value of type object',
      );
      expect(
        () => new StreamingCredentialsProvider({ identityProvider: idp, credentialsMapper: 'x' as never }),
      ).toThrow(InvalidOptionError);
      expect(
        () =>
          new StreamingCredentialsProvider({
            identityProvider: idp,
            credentialsMapper: toCredentials,
            onRetryableError: 1 as never,
          }),
      ).toThrow('Invalid option "onRetryableError": expected a function, got 1');
      expect(
        () =>
          new StreamingCredentialsProvider({
            identityProvider: idp,
            credentialsMapper: toCredentials,
            tokenManagerConfig: { expirationRefreshRatio: 2 },
          }),
      ).toThrow('Invalid option "expirationRefreshRatio"');
      expect(() => new StreamingCredentialsProvider(undefined as never)).toThrow('"identityProvider"');
    });
  });

  describe('first subscribers', () => {
    it('resolves with the mapped credentials and a Disposable', async () => {
      const { provider, idp } = setup(numberedTokens(60_000));
      const [credentials, subscription] = await provider.subscribe(new RecordingListener());
      expect(credentials).toEqual({ username: 'app', password: 'token-1' });
      expect(idp.callCount).toBe(1);
      expect(provider.subscriberCount()).toBe(1);
      expect(provider.getCurrentToken()?.value).toBe('token-1');
      subscription.dispose();
    });

    it('shares one identity provider call among 100 concurrent first subscribers', async () => {
      const { provider, idp } = setup((call) =>
        call === 1 ? transient() : { token: `token-${call}`, ttlMs: 60_000 },
      );
      const results = Promise.all(
        Array.from({ length: 100 }, () => provider.subscribe(new RecordingListener())),
      );
      await advance(100);
      const subscriptions = await results;
      expect(idp.callCount).toBe(2);
      expect(new Set(subscriptions.map(([credentials]) => credentials.password))).toEqual(
        new Set(['token-2']),
      );
      expect(provider.subscriberCount()).toBe(100);
      for (const [, subscription] of subscriptions) subscription.dispose();
    });

    it('makes exactly one call for 100 concurrent first subscribers when the first request succeeds', async () => {
      const { provider, idp } = setup(numberedTokens(60_000));
      const subscriptions = await Promise.all(
        Array.from({ length: 100 }, () => provider.subscribe(new RecordingListener())),
      );
      expect(idp.callCount).toBe(1);
      for (const [, subscription] of subscriptions) subscription.dispose();
    });

    it('hands a later subscriber the current token without calling the identity provider', async () => {
      const { provider, idp } = setup(numberedTokens(60_000));
      const [, first] = await provider.subscribe(new RecordingListener());
      const [credentials, second] = await provider.subscribe(new RecordingListener());
      expect(credentials.password).toBe('token-1');
      expect(idp.callCount).toBe(1);
      first.dispose();
      second.dispose();
    });

    it('rejects every waiting subscriber with a typed error when no token can be obtained, leaving no timer', async () => {
      const { provider, idp } = setup(() => transient());
      const results = Array.from({ length: 3 }, () =>
        provider.subscribe(new RecordingListener()).catch((error: unknown) => error),
      );
      await advance(1_000);
      const errors = await Promise.all(results);
      expect(idp.callCount).toBe(3);
      for (const error of errors) {
        expect(error).toBeInstanceOf(RefreshFailedError);
        expect(error).toMatchObject({ reason: 'retries-exhausted', attempts: 3 });
      }
      expect(provider.subscriberCount()).toBe(0);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('rejects at once after one call on a permanent error', async () => {
      const { provider, idp } = setup(() => permanent());
      await expect(provider.subscribe(new RecordingListener())).rejects.toMatchObject({
        code: 'REFRESH_FAILED',
        reason: 'permanent-error',
      });
      expect(idp.callCount).toBe(1);
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('refreshes', () => {
    it('delivers onNext to every subscriber on each refresh', async () => {
      const { provider } = setup(numberedTokens(10_000));
      const listeners = [new RecordingListener(), new RecordingListener(), new RecordingListener()];
      const subscriptions = await Promise.all(listeners.map((listener) => provider.subscribe(listener)));
      await advance(10_000);
      for (const listener of listeners) {
        expect(listener.next.map((c) => c.password)).toEqual(['token-2', 'token-3']);
      }
      for (const [, subscription] of subscriptions) subscription.dispose();
    });

    it('maps each token once, however many subscribers there are', async () => {
      const mapper = jest.fn(toCredentials);
      const { provider } = setup(numberedTokens(10_000), { credentialsMapper: mapper });
      const subscriptions = await Promise.all(
        Array.from({ length: 50 }, () => provider.subscribe(new RecordingListener())),
      );
      await advance(5_000);
      expect(mapper).toHaveBeenCalledTimes(2);
      for (const [, subscription] of subscriptions) subscription.dispose();
    });

    it('supports an async credentials mapper', async () => {
      const { provider } = setup(numberedTokens(10_000), {
        credentialsMapper: async (token) => ({ username: 'async', password: token.value }),
      });
      const listener = new RecordingListener();
      const [credentials, subscription] = await provider.subscribe(listener);
      expect(credentials).toEqual({ username: 'async', password: 'token-1' });
      await advance(5_000);
      expect(listener.next).toEqual([{ username: 'async', password: 'token-2' }]);
      subscription.dispose();
    });

    it("keeps notifying the others when one subscriber throws, and reports it as 'listenerError'", async () => {
      const { provider } = setup(numberedTokens(10_000));
      const reports: Array<{ error: unknown; source: string }> = [];
      provider.events.on('listenerError', (payload) => reports.push(payload));
      const boom = new Error('subscriber bug');
      const good = new RecordingListener();
      const [, a] = await provider.subscribe({
        onNext: () => {
          throw boom;
        },
        onError: () => {},
      });
      const [, b] = await provider.subscribe(good);
      await advance(5_000);
      expect(good.next.map((c) => c.password)).toEqual(['token-2']);
      expect(reports).toEqual([{ error: boom, source: 'onNext' }]);
      a.dispose();
      b.dispose();
    });

    it('calls onRetryableError on each transient failure and keeps the subscribers', async () => {
      const onRetryableError = jest.fn();
      const { provider } = setup(
        (call) => (call === 2 ? transient() : { token: `token-${call}`, ttlMs: 10_000 }),
        { onRetryableError },
      );
      const listener = new RecordingListener();
      const [, subscription] = await provider.subscribe(listener);
      await advance(5_100);
      expect(onRetryableError).toHaveBeenCalledTimes(1);
      expect(onRetryableError.mock.calls[0]![0]).toBeInstanceOf(IdentityProviderError);
      expect(listener.next.map((c) => c.password)).toEqual(['token-3']);
      expect(listener.errors).toEqual([]);
      subscription.dispose();
    });
  });

  describe('failures after the first token', () => {
    it('with recovery off: sends onError to every subscriber on a permanent failure, keeps the token, and restarts on a later subscribe', async () => {
      const { provider, idp } = setup(
        (call) => (call === 1 ? { token: 'good', ttlMs: 10_000 } : permanent()),
        {
          tokenManagerConfig: { ...exact, recovery: false },
        },
      );
      const listeners = [new RecordingListener(), new RecordingListener()];
      for (const listener of listeners) await provider.subscribe(listener);
      await advance(5_000);
      expect(idp.callCount).toBe(2);
      for (const listener of listeners) {
        expect(listener.errors).toEqual([expect.any(RefreshFailedError)]);
      }
      expect(jest.getTimerCount()).toBe(0);
      idp.setScript((call) => ({ token: `token-${call}`, ttlMs: 10_000 }));
      const [credentials] = await provider.subscribe(new RecordingListener());
      expect(credentials.password).toBe('good');
      await advance(500);
      expect(idp.callCount).toBe(3);
      for (const listener of listeners) expect(listener.next.map((c) => c.password)).toEqual(['token-3']);
      provider.dispose();
    });

    it('with recovery off: sends onError to every subscriber when the token expires, then acquires afresh on a later subscribe', async () => {
      const { provider, idp } = setup(
        (call) => (call === 1 ? { token: 'first', ttlMs: 10_000 } : transient()),
        {
          tokenManagerConfig: { ...exact, recovery: false },
        },
      );
      const listener = new RecordingListener();
      await provider.subscribe(listener);
      await advance(10_000);
      expect(listener.errors).toEqual([expect.any(TokenExpiredError)]);
      expect(provider.getCurrentToken()).toBeUndefined();
      expect(jest.getTimerCount()).toBe(0);
      idp.setScript((call) => ({ token: `token-${call}`, ttlMs: 10_000 }));
      const [credentials, subscription] = await provider.subscribe(new RecordingListener());
      expect(credentials.password).toBe(`token-${idp.callCount}`);
      subscription.dispose();
      provider.dispose();
    });
  });

  describe('self-healing (recovery on, the default)', () => {
    const healing: TokenManagerConfig = { ...exact, recovery: { jitterPercentage: 0 } };

    it('keeps its subscribers after a permanent error and delivers onNext once the identity provider accepts again', async () => {
      let denied = false;
      const { provider, idp } = setup(
        (call) => (denied ? permanent() : { token: `token-${call}`, ttlMs: 10_000 }),
        { tokenManagerConfig: healing },
      );
      const listener = new RecordingListener();
      await provider.subscribe(listener);
      denied = true;
      await advance(5_000);
      expect(listener.errors).toEqual([expect.objectContaining({ reason: 'permanent-error' })]);
      expect(provider.subscriberCount()).toBe(1);
      // The token is still valid: a later subscriber gets it at once, without a request.
      const before = idp.callCount;
      const [credentials, later] = await provider.subscribe(new RecordingListener());
      expect(credentials.password).toBe('token-1');
      expect(idp.callCount).toBe(before);
      denied = false;
      await advance(1_000);
      expect(listener.next.map((c) => c.password)).toEqual([`token-${idp.callCount}`]);
      later.dispose();
      provider.dispose();
    });

    it('after expiry a new subscriber waits for the next recovery request (none of its own) and everyone gets the token', async () => {
      let down = false;
      const { provider, idp } = setup(
        (call) => (down ? transient() : { token: `token-${call}`, ttlMs: 10_000 }),
        {
          tokenManagerConfig: healing,
        },
      );
      const listener = new RecordingListener();
      await provider.subscribe(listener);
      down = true;
      await advance(10_000);
      expect(listener.errors).toEqual([expect.any(TokenExpiredError)]);
      const calls = idp.callCount;
      // Recovery step 1 is due 1 s after expiry; this subscribe adds no request and fails with it.
      const failing = provider.subscribe(new RecordingListener());
      failing.catch(() => {});
      expect(idp.callCount).toBe(calls);
      await advance(1_000);
      await expect(failing).rejects.toMatchObject({ code: 'REFRESH_FAILED', reason: 'recovery-failed' });
      expect(idp.callCount).toBe(calls + 1);
      down = false;
      const waiting = provider.subscribe(new RecordingListener());
      await advance(2_000);
      const [credentials, subscription] = await waiting;
      expect(idp.callCount).toBe(calls + 2);
      expect(credentials.password).toBe(`token-${calls + 2}`);
      expect(listener.next.map((c) => c.password)).toEqual([`token-${calls + 2}`]);
      subscription.dispose();
      provider.dispose();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('disposal', () => {
    it('makes subscription disposables idempotent', async () => {
      const { provider } = setup(numberedTokens(60_000));
      const [, a] = await provider.subscribe(new RecordingListener());
      const [, b] = await provider.subscribe(new RecordingListener());
      a.dispose();
      a.dispose();
      a[Symbol.dispose]();
      expect(provider.subscriberCount()).toBe(1);
      expect(provider.tokenManager.isRunning()).toBe(true);
      b.dispose();
    });

    it('stops every timer when the last subscriber disposes, and starts again for the next one', async () => {
      const { provider, idp } = setup(numberedTokens(10_000));
      const [, a] = await provider.subscribe(new RecordingListener());
      const [, b] = await provider.subscribe(new RecordingListener());
      a.dispose();
      expect(jest.getTimerCount()).toBeGreaterThan(0);
      b.dispose();
      expect(jest.getTimerCount()).toBe(0);
      expect(provider.tokenManager.isRunning()).toBe(false);
      const listener = new RecordingListener();
      const [credentials, c] = await provider.subscribe(listener);
      expect(credentials.password).toBe('token-1');
      await advance(5_000);
      expect(idp.callCount).toBe(2);
      expect(listener.next.map((x) => x.password)).toEqual(['token-2']);
      c.dispose();
      expect(jest.getTimerCount()).toBe(0);
    });

    it('does not deliver to a subscriber after it disposed', async () => {
      const { provider } = setup(numberedTokens(10_000));
      const gone = new RecordingListener();
      const [, a] = await provider.subscribe(gone);
      const [, b] = await provider.subscribe(new RecordingListener());
      a.dispose();
      await advance(5_000);
      expect(gone.next).toEqual([]);
      b.dispose();
    });

    it('dispose() rejects waiting subscribers, stops the loop and refuses new subscribers', async () => {
      const { provider, idp } = setup(() => 'hang');
      const waiting = provider.subscribe(new RecordingListener());
      expect(idp.callCount).toBe(1);
      provider.dispose();
      provider[Symbol.dispose]();
      await expect(waiting).rejects.toBeInstanceOf(DisposedError);
      expect(idp.calls[0]!.signal!.aborted).toBe(true);
      await expect(provider.subscribe(new RecordingListener())).rejects.toMatchObject({ code: 'DISPOSED' });
      expect(jest.getTimerCount()).toBe(0);
    });

    it('keeps the loop for a subscriber still waiting when another one disposes', async () => {
      const { provider, idp } = setup(numberedTokens(10_000), {
        credentialsMapper: async (token) => {
          await new Promise((resolve) => setTimeout(resolve, 50));
          return toCredentials(token);
        },
      });
      const first = provider.subscribe(new RecordingListener());
      await advance(50);
      const [, a] = await first;
      const second = provider.subscribe(new RecordingListener());
      a.dispose();
      const [credentials, b] = await second;
      expect(credentials.password).toBe('token-1');
      expect(provider.tokenManager.isRunning()).toBe(true);
      await advance(5_000);
      expect(idp.callCount).toBe(2);
      b.dispose();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('credentials mapping', () => {
    it('rejects subscribe with CredentialsMappingError when the mapper throws, and stops the idle loop', async () => {
      const bug = new Error('no oid claim');
      const { provider } = setup(numberedTokens(10_000), {
        credentialsMapper: () => {
          throw bug;
        },
      });
      const error = await provider.subscribe(new RecordingListener()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CredentialsMappingError);
      expect((error as CredentialsMappingError).cause).toBe(bug);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('rejects a mapper result that is not { username?, password? }', async () => {
      const { provider } = setup(numberedTokens(10_000), {
        credentialsMapper: () => ({ password: 42 }) as never,
      });
      await expect(provider.subscribe(new RecordingListener())).rejects.toThrow(
        'credentialsMapper must return { username?: string, password?: string }, got object',
      );
      const nullMapper = setup(numberedTokens(10_000), { credentialsMapper: () => null as never }).provider;
      await expect(nullMapper.subscribe(new RecordingListener())).rejects.toThrow('got null');
    });

    it('sends onError to subscribers when a refreshed token cannot be mapped, and tries the mapper again later', async () => {
      let fail = false;
      const { provider } = setup(numberedTokens(10_000), {
        credentialsMapper: (token) => {
          if (fail) throw new Error('mapper broke');
          return toCredentials(token);
        },
      });
      const listener = new RecordingListener();
      const [, subscription] = await provider.subscribe(listener);
      fail = true;
      await advance(5_000);
      expect(listener.errors).toEqual([expect.any(CredentialsMappingError)]);
      fail = false;
      const [credentials, other] = await provider.subscribe(new RecordingListener());
      expect(credentials.password).toBe('token-2');
      subscription.dispose();
      other.dispose();
    });

    it('hands out the newest credentials when a refresh lands while a slow mapper runs', async () => {
      const { provider } = setup(numberedTokens(1_000), {
        tokenManagerConfig: { ...exact, minRefreshIntervalMs: 0 },
        credentialsMapper: async (token) => {
          if (token.value === 'token-1') await new Promise((resolve) => setTimeout(resolve, 700));
          return toCredentials(token);
        },
      });
      const pending = provider.subscribe(new RecordingListener());
      await advance(700);
      const [credentials, subscription] = await pending;
      expect(credentials.password).toBe('token-2');
      subscription.dispose();
    });
  });

  describe('re-authentication errors', () => {
    it("passes node-redis' re-authentication errors to the callback and the 'reAuthenticationFailed' event", () => {
      const onReAuthenticationError = jest.fn();
      const { provider } = setup(numberedTokens(10_000), { onReAuthenticationError });
      const seen: Error[] = [];
      provider.events.on('reAuthenticationFailed', ({ error }) => seen.push(error));
      const error = new Error('WRONGPASS');
      const { onReAuthenticationError: detached } = provider;
      detached(error);
      expect(onReAuthenticationError).toHaveBeenCalledWith(error);
      expect(seen).toEqual([error]);
    });

    it('reports a throwing onReAuthenticationError callback instead of throwing into node-redis', () => {
      const boom = new Error('callback bug');
      const { provider } = setup(numberedTokens(10_000), {
        onReAuthenticationError: () => {
          throw boom;
        },
      });
      const reports: unknown[] = [];
      provider.events.on('listenerError', ({ error, source }) => reports.push([error, source]));
      expect(() => provider.onReAuthenticationError(new Error('x'))).not.toThrow();
      expect(reports).toEqual([[boom, 'onReAuthenticationError']]);
    });
  });

  it('surfaces the token manager events on provider.events', async () => {
    const { provider } = setup(numberedTokens(10_000));
    const acquired: number[] = [];
    provider.events.on('tokenAcquired', ({ expiresAtMs }) => acquired.push(expiresAtMs));
    const [, subscription] = await provider.subscribe(new RecordingListener());
    await flush();
    expect(acquired).toHaveLength(1);
    subscription.dispose();
  });
});
