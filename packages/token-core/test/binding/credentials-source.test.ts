import {
  type BasicAuth,
  BindingDisposedError,
  type CredentialsListener,
  CredentialsProviderError,
  CredentialsSource,
  CredentialsUnavailableError,
  resolveRecoveryPolicy,
  type StreamingProvider,
  systemClock,
} from '../../src';
import { advance, flush, START_MS, useFakeTime } from '../support/fake-time';

type Behaviour = { credentials: BasicAuth } | { error: Error } | 'throw' | 'hang';

/** A streaming provider driven by the test: each subscribe() does what `next` says. */
class FakeProvider implements StreamingProvider {
  readonly type = 'streaming-credentials-provider' as const;
  readonly listeners = new Set<CredentialsListener>();
  subscribes = 0;
  disposes = 0;
  next: Behaviour = { credentials: creds('a', 60_000) };
  readonly reauthErrors: Error[] = [];

  subscribe(listener: CredentialsListener): Promise<[BasicAuth, { dispose(): void }]> {
    this.subscribes++;
    const behaviour = this.next;
    if (behaviour === 'throw') throw new Error('subscribe threw synchronously');
    if (behaviour === 'hang') return new Promise(() => {});
    if ('error' in behaviour) return Promise.reject(behaviour.error);
    this.listeners.add(listener);
    return Promise.resolve([
      behaviour.credentials,
      {
        dispose: () => {
          this.disposes++;
          this.listeners.delete(listener);
        },
      },
    ]);
  }
  onReAuthenticationError(error: Error): void {
    this.reauthErrors.push(error);
  }
  push(credentials: BasicAuth): void {
    for (const l of [...this.listeners]) l.onNext(credentials);
  }
  fail(error: Error): void {
    for (const l of [...this.listeners]) l.onError(error);
  }
}

/** Credentials whose password says when they expire (ms after START_MS). */
function creds(name: string, expiresAfterMs: number): BasicAuth {
  return { username: 'app', password: `${name}@${START_MS + expiresAfterMs}` };
}
const expiresAtMs = (c: BasicAuth) => Number(c.password?.split('@')[1]);

function setup() {
  const provider = new FakeProvider();
  const updates: number[] = [];
  const errors: Error[] = [];
  const source = new CredentialsSource(provider, {
    expiresAtMs,
    clock: systemClock,
    recovery: resolveRecoveryPolicy({ jitterPercentage: 0 })!,
    onUpdate: (g) => updates.push(g.generation),
    onError: (e) => errors.push(e),
  });
  return { provider, source, updates, errors };
}

beforeEach(useFakeTime);
afterEach(() => jest.useRealTimers());

describe('CredentialsSource', () => {
  it('subscribes once for any number of concurrent handshakes', async () => {
    const { provider, source, updates } = setup();
    const all = await Promise.all(Array.from({ length: 50 }, () => source.acquire(5000)));
    expect(provider.subscribes).toBe(1);
    expect(new Set(all.map((g) => g.generation))).toEqual(new Set([1]));
    expect(updates).toEqual([1]);
    expect(source.state.kind).toBe('valid');
  });

  it('numbers each change and ignores a repeat of the same credentials', async () => {
    const { provider, source, updates } = setup();
    await source.acquire(5000);
    provider.push(creds('a', 60_000));
    provider.push(creds('b', 60_000));
    expect(updates).toEqual([1, 2]);
    expect(source.usable()?.credentials.password).toContain('b@');
  });

  it('never hands out expired credentials: at expiry it asks again, and a handshake waits for new ones', async () => {
    const { provider, source, errors } = setup();
    provider.next = { credentials: creds('a', 2000) };
    await source.acquire(5000);
    provider.next = { credentials: creds('b', 60_000) };
    await advance(2000);
    expect(errors[0]).toBeInstanceOf(CredentialsUnavailableError);
    // Asked again at once on expiry, and it had new ones.
    expect(provider.subscribes).toBe(2);
    expect(source.usable()?.credentials.password).toContain('b@');
    // Make-before-break: the first subscription was disposed only after the second was held.
    expect(provider.disposes).toBe(1);
    expect(provider.listeners.size).toBe(1);
  });

  it('treats credentials that have already expired as a provider failure, never handing them out', async () => {
    const { provider, source, errors } = setup();
    provider.next = { credentials: creds('stale', -1000) };
    const waiting = source.acquire(5000);
    waiting.catch(() => {});
    await flush();
    expect(errors[0]).toBeInstanceOf(CredentialsProviderError);
    expect(source.usable()).toBeUndefined();
    // Transient: the handshake keeps waiting for the next step, which brings good ones.
    provider.next = { credentials: creds('fresh', 60_000) };
    await advance(1000);
    expect((await waiting).credentials.password).toContain('fresh@');
  });

  it('keeps a handshake waiting through transient failures and completes it the moment credentials arrive', async () => {
    const { provider, source } = setup();
    provider.next = { error: new Error('HTTP 503') };
    const waiting = source.acquire(10_000);
    let settled = false;
    waiting.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    await advance(3500);
    expect(settled).toBe(false);
    expect(provider.subscribes).toBe(3);
    provider.next = { credentials: creds('back', 60_000) };
    await advance(4000);
    expect((await waiting).credentials.password).toContain('back@');
  });

  it('recovers after the provider fails: one subscribe per backoff step, handshakes add none', async () => {
    const { provider, source, errors } = setup();
    provider.next = { credentials: creds('a', 3000) };
    await source.acquire(5000);
    provider.next = { error: new Error('HTTP 503') };
    provider.fail(new Error('refresh gave up'));
    expect(errors).toHaveLength(1);
    // Still valid until 3 s: handshakes get them.
    expect((await source.acquire(5000)).generation).toBe(1);
    const subscribeTimes: number[] = [];
    const original = provider.subscribe.bind(provider);
    provider.subscribe = (l) => {
      subscribeTimes.push(Date.now() - START_MS);
      return original(l);
    };
    // 40 handshakes over 40 s (a reconnect loop), each waiting up to 1 s.
    for (let i = 0; i < 40; i++) {
      source.acquire(1000).catch(() => {});
      await advance(1000);
    }
    // Steps 1, 2, 4, 8, 16 s after the failure at 0 (the expiry at 3 s asks once more) — not one per handshake.
    expect(subscribeTimes).toEqual([1000, 3000, 7000, 15000, 31000]);
    provider.next = { credentials: creds('b', 120_000) };
    await advance(30_000);
    expect(source.state.kind).toBe('valid');
    expect(source.usable()?.generation).toBe(2);
  });

  it('rejects the first handshake with the typed error when the provider refuses, then backs off', async () => {
    const { provider, source } = setup();
    const refused = Object.assign(new Error('invalid_client'), { isRetryable: false });
    provider.next = { error: refused };
    const first = source.acquire(5000);
    await expect(first).rejects.toMatchObject({
      code: 'CREDENTIALS_PROVIDER_FAILED',
      isRetryable: false,
      cause: refused,
    });
    expect(source.state).toMatchObject({ kind: 'recovering', step: 1, usable: false });
    const second = source.acquire(5000);
    second.catch(() => {});
    await advance(1000);
    await expect(second).rejects.toMatchObject({ code: 'CREDENTIALS_PROVIDER_FAILED' });
    expect(provider.subscribes).toBe(2);
  });

  it('handles a provider whose subscribe() throws synchronously', async () => {
    const { provider, source, errors } = setup();
    provider.next = 'throw';
    const waiting = source.acquire(5000);
    await flush();
    expect(errors[0]).toBeInstanceOf(CredentialsProviderError);
    provider.next = { credentials: creds('a', 60_000) };
    await advance(1000);
    expect((await waiting).generation).toBe(1);
  });

  it('times out a waiting handshake when the provider stays down, with the last failure as cause', async () => {
    const { provider, source } = setup();
    provider.next = { error: new Error('HTTP 503') };
    const waiting = source.acquire(2500);
    waiting.catch(() => {});
    await advance(2500);
    await expect(waiting).rejects.toMatchObject({
      code: 'CREDENTIALS_UNAVAILABLE',
      cause: { code: 'CREDENTIALS_PROVIDER_FAILED' },
    });
  });

  it('times out a handshake with CredentialsUnavailableError carrying the last failure', async () => {
    const { provider, source } = setup();
    provider.next = 'hang';
    const waiting = source.acquire(2000);
    waiting.catch(() => {});
    await advance(2000);
    await expect(waiting).rejects.toBeInstanceOf(CredentialsUnavailableError);
  });

  it('release() drops the subscription and the credentials; the next acquire subscribes afresh', async () => {
    const { provider, source } = setup();
    await source.acquire(5000);
    source.release();
    expect(provider.listeners.size).toBe(0);
    expect(source.usable()).toBeUndefined();
    expect(source.state.kind).toBe('idle');
    provider.next = { credentials: creds('rotated-secret', 60_000) };
    const next = await source.acquire(5000);
    expect(next.credentials.password).toContain('rotated-secret');
    expect(next.generation).toBe(2);
    expect(provider.subscribes).toBe(2);
  });

  it('ignores a subscribe that resolves after release(), disposing it', async () => {
    const { provider, source } = setup();
    let resolve!: (v: [BasicAuth, { dispose(): void }]) => void;
    provider.subscribe = () => {
      provider.subscribes++;
      return new Promise((r) => {
        resolve = r;
      });
    };
    source.acquire(5000).catch(() => {});
    source.release();
    const dispose = jest.fn();
    resolve([creds('late', 60_000), { dispose }]);
    await flush();
    expect(dispose).toHaveBeenCalledTimes(1);
    expect(source.usable()).toBeUndefined();
  });

  it('close() rejects waiting handshakes and refuses new ones; no timer left', async () => {
    const { provider, source } = setup();
    provider.next = 'hang';
    const waiting = source.acquire(60_000);
    source.close();
    await expect(waiting).rejects.toBeInstanceOf(BindingDisposedError);
    await expect(source.acquire(1000)).rejects.toBeInstanceOf(BindingDisposedError);
    expect(jest.getTimerCount()).toBe(0);
  });
});
