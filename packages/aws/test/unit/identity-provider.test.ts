import { inspect } from 'node:util';
import { AwsIamErrorCode, createElastiCacheIamProvider } from '../../src';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION = 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKENnever-to-be-printed';

function countingCredentials(expiresInMs?: number) {
  let calls = 0;
  const credentials = async () => {
    calls++;
    return {
      accessKeyId: `ASIAEXAMPLE${calls}`,
      secretAccessKey: SECRET,
      sessionToken: SESSION,
      expiration: expiresInMs === undefined ? undefined : new Date(Date.now() + expiresInMs),
    };
  };
  return { credentials, calls: () => calls };
}

const listener = () => {
  const received: Array<{ username?: string; password?: string }> = [];
  const errors: Error[] = [];
  return {
    received,
    errors,
    listener: { onNext: (c: object) => received.push(c), onError: (e: Error) => errors.push(e) },
  };
};

describe('AwsIamIdentityProvider through createElastiCacheIamProvider', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 0, 1, 0, 0, 0, 250) }));
  afterEach(() => jest.useRealTimers());

  it('signs every token with freshly resolved credentials: one credentials call per refresh, at 9–10 min', async () => {
    const source = countingCredentials();
    const provider = createElastiCacheIamProvider({
      cacheName: 'orders',
      userId: 'app',
      region: 'us-east-1',
      credentials: source.credentials,
    });
    const sink = listener();
    const [first, subscription] = await provider.subscribe(sink.listener);
    expect(first.username).toBe('app');
    expect(first.password).toMatch(/^orders\/\?Action=connect&User=app&/);
    expect(first.password).toContain('X-Amz-Credential=ASIAEXAMPLE1%2F20260101%2Fus-east-1%2Felasticache');
    // ttl counts from the whole second of X-Amz-Date: 900 s − 0.25 s.
    expect(provider.getCurrentToken()!.expiresAtMs).toBe(Date.UTC(2026, 0, 1, 0, 15, 0));
    expect(source.calls()).toBe(1);
    await jest.advanceTimersByTimeAsync(9 * 60_000 - 1000);
    expect(source.calls()).toBe(1);
    await jest.advanceTimersByTimeAsync(60_000 + 1000);
    expect(source.calls()).toBe(2);
    expect(sink.received.at(-1)!.password).toContain('ASIAEXAMPLE2');
    // Three more refreshes over 30 min: still one call each.
    await jest.advanceTimersByTimeAsync(30 * 60_000);
    expect(source.calls()).toBe(5);
    expect(sink.received).toHaveLength(4);
    expect(sink.errors).toHaveLength(0);
    subscription.dispose();
    provider.dispose();
  });

  it('never lets a token outlive the credentials that signed it', async () => {
    const source = countingCredentials(120_000);
    const provider = createElastiCacheIamProvider({
      cacheName: 'orders',
      userId: 'app',
      region: 'us-east-1',
      credentials: source.credentials,
    });
    const [, subscription] = await provider.subscribe(listener().listener);
    expect(provider.getCurrentToken()!.expiresAtMs).toBe(Date.now() + 120_000);
    subscription.dispose();
    provider.dispose();
  });

  it.each([
    [
      'no secret',
      async () => ({ accessKeyId: 'AKID', secretAccessKey: '' }),
      AwsIamErrorCode.INVALID_CREDENTIALS,
      false,
    ],
    [
      'expired credentials',
      async () => ({ accessKeyId: 'AKID', secretAccessKey: SECRET, expiration: new Date(Date.now() - 1) }),
      AwsIamErrorCode.CREDENTIALS_EXPIRED,
      true,
    ],
    [
      'a provider that throws with a secret in its message',
      async () => {
        throw new Error(`cannot parse ${SECRET} / ${SESSION}`);
      },
      AwsIamErrorCode.UNKNOWN,
      true,
    ],
  ])('%s', async (_what, credentials, code, isRetryable) => {
    const provider = createElastiCacheIamProvider({
      cacheName: 'orders',
      userId: 'app',
      region: 'us-east-1',
      credentials,
      tokenManagerConfig: { retry: { maxAttempts: 0 }, recovery: false },
    });
    const failures: unknown[] = [];
    provider.events.on('refreshFailed', ({ error }) => failures.push(error));
    await expect(provider.subscribe(listener().listener)).rejects.toBeDefined();
    expect(failures[0]).toMatchObject({ code, isRetryable });
    const text = `${(failures[0] as Error).message} ${inspect(failures[0])}`;
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SESSION);
    provider.dispose();
  });
});

describe('secrets', () => {
  it('never appear in inspect / JSON of the provider, its token, its events or its errors', async () => {
    const source = countingCredentials();
    const provider = createElastiCacheIamProvider({
      cacheName: 'orders',
      userId: 'app',
      region: 'us-east-1',
      credentials: source.credentials,
    });
    const seen: string[] = [];
    for (const name of ['tokenAcquired', 'refreshFailed', 'retryScheduled', 'tokenUnchanged'] as const) {
      provider.events.on(name, (payload: object) =>
        seen.push(inspect(payload, { depth: 5 }), JSON.stringify(payload)),
      );
    }
    const [credentials, subscription] = await provider.subscribe(listener().listener);
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(credentials.password!)![1];
    seen.push(
      inspect(provider, { depth: 5 }),
      JSON.stringify(provider),
      inspect(provider.getCurrentToken(), { depth: 5 }),
      String(provider.getCurrentToken()),
      JSON.stringify(provider.getCurrentToken()),
      inspect(provider.tokenManager, { depth: 5 }),
    );
    const all = seen.join('\n');
    expect(all).toContain('orders');
    for (const secret of [SECRET, SESSION, signature, credentials.password!])
      expect(all).not.toContain(secret);
    subscription.dispose();
    provider.dispose();
  });
});
