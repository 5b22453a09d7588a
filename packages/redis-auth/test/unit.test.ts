import { inspect } from 'node:util';
import { InvalidOptionError } from '@authx/token-core';
import {
  blockingTimeoutMs,
  commandKind,
  CredentialsProviderError,
  createRedisAuth,
  DEFAULT_REDIS_AUTH_OPTIONS,
  jwtExpiresAtMs,
  ReauthenticationError,
  RedisAuthErrorCode,
  type StreamingProvider,
  UnsupportedTargetError,
} from '../src';
import { overlapLength, resumePoint } from '../src/overlap';
import { resolveRedisAuthOptions } from '../src/options';

const SECRET = 'eyJhbGciOiJub25lIn0.eyJleHAiOjE5MDAwMDAwMDB9.c2VjcmV0LXNpZ25hdHVyZQ';

class StaticProvider implements StreamingProvider {
  readonly type = 'streaming-credentials-provider' as const;
  async subscribe() {
    const dispose = () => {};
    return [
      { username: 'app', password: SECRET },
      { dispose, [Symbol.dispose]: dispose },
    ] as [{ username: string; password: string }, { dispose(): void; [Symbol.dispose](): void }];
  }
  onReAuthenticationError(): void {}
}

const m = (n: number) => ({ message: Buffer.from(String(n)), channel: Buffer.from('c') });
const ms = (...ns: number[]) => ns.map(m);

describe('overlapLength', () => {
  it('counts the subscriber messages the bridge starts with', () => {
    expect(overlapLength(ms(1, 2, 3, 4), ms(3, 4, 5))).toBe(2);
  });
  it('finds the overlap while the bridge still lags behind the subscriber', () => {
    expect(overlapLength(ms(1, 2, 3, 4), ms(2))).toBe(3);
  });
  it('is 0 when the bridge starts after the subscriber stopped, undefined while it has nothing', () => {
    expect(overlapLength(ms(1, 2), ms(3, 4))).toBe(0);
    expect(overlapLength(ms(1, 2), [])).toBeUndefined();
  });
});

describe('resumePoint', () => {
  it('is where the resumed stream takes over', () => {
    expect(resumePoint(ms(5, 6, 7, 8), ms(7, 8, 9), 0)).toBe(2);
  });
  it('is the end of the bridge stream when nothing reappears', () => {
    expect(resumePoint(ms(5, 6), ms(9), 0)).toBe(2);
  });
});

describe('commandKind / blockingTimeoutMs', () => {
  it('recognises transactions and blocking commands in any case', () => {
    expect(commandKind(['multi'])).toBe('multi');
    expect(commandKind(['EXEC'])).toBe('end-transaction');
    expect(commandKind([Buffer.from('discard')])).toBe('end-transaction');
    expect(commandKind(['BLPOP', 'k', '0'])).toBe('blocking');
    expect(commandKind(['XREAD', 'BLOCK', '100', 'STREAMS', 's', '$'])).toBe('blocking');
    expect(commandKind(['XREAD', 'STREAMS', 's', '$'])).toBe('other');
    expect(commandKind(['GET', 'k'])).toBe('other');
  });
  it('converts timeouts to milliseconds, 0 meaning forever', () => {
    expect(blockingTimeoutMs(['BLPOP', 'a', 'b', '1.5'])).toBe(1500);
    expect(blockingTimeoutMs(['BLPOP', 'a', '0'])).toBe(Number.POSITIVE_INFINITY);
    expect(blockingTimeoutMs(['BLMPOP', '2', '1', 'k', 'LEFT'])).toBe(2000);
    expect(blockingTimeoutMs(['XREAD', 'BLOCK', '250', 'STREAMS', 's', '$'])).toBe(250);
    expect(blockingTimeoutMs(['WAIT', '1', '100'])).toBe(100);
  });
});

describe('jwtExpiresAtMs', () => {
  it('reads exp from a JWT password and returns undefined otherwise', () => {
    expect(jwtExpiresAtMs({ password: SECRET })).toBe(1_900_000_000_000);
    expect(jwtExpiresAtMs({ password: 'plain-password' })).toBeUndefined();
    expect(jwtExpiresAtMs({})).toBeUndefined();
  });
});

describe('options', () => {
  it('uses the documented defaults', () => {
    const resolved = resolveRedisAuthOptions();
    expect(resolved.reauthInitialDelayMs).toBe(100);
    expect(resolved.reauthMaxDelayMs).toBe(5000);
    expect(resolved.label).toBe('');
    expect(DEFAULT_REDIS_AUTH_OPTIONS).toEqual({
      reauthInitialDelayMs: 100,
      reauthMaxDelayMs: 5000,
      label: '',
    });
  });
  it.each([
    [{ reauthInitialDelayMs: 0 }, 'reauthInitialDelayMs'],
    [{ reauthMaxDelayMs: 10, reauthInitialDelayMs: 20 }, 'reauthMaxDelayMs'],
    [{ expiresAtMs: 5 }, 'expiresAtMs'],
    [{ label: 7 }, 'label'],
    [{ clock: {} }, 'clock'],
  ])('rejects %p naming the option', (options, option) => {
    const attempt = () => resolveRedisAuthOptions(options as never);
    expect(attempt).toThrow(InvalidOptionError);
    expect(attempt).toThrow(new RegExp(option));
  });
  it('rejects a provider that is not a streaming credentials provider', () => {
    expect(() => createRedisAuth({} as never)).toThrow(/Invalid option "provider"/);
  });
  it('rejects a bind target that is not a client, pool or cluster', () => {
    const auth = createRedisAuth(new StaticProvider());
    expect(() => auth.bind({})).toThrow(UnsupportedTargetError);
  });
});

describe('secrets', () => {
  it('never shows the credentials in the binding, its output or its errors', async () => {
    const auth = createRedisAuth(new StaticProvider());
    const credentials = await auth.credentials();
    expect(credentials.password).toBe(SECRET);
    const error = new ReauthenticationError('client#1', {
      cause: new Error('WRONGPASS invalid username-password pair'),
    });
    const providerError = new CredentialsProviderError('failed', { cause: new Error('boom') });
    for (const text of [
      inspect(auth, { depth: 10 }),
      JSON.stringify(auth),
      String(auth),
      inspect(error),
      error.message,
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('c2VjcmV0');
    }
    expect(error.code).toBe(RedisAuthErrorCode.REAUTHENTICATION_FAILED);
    expect(providerError.code).toBe('CREDENTIALS_PROVIDER_FAILED');
    expect(providerError.cause).toBeInstanceOf(Error);
    expect(CredentialsProviderError.isInstance(providerError)).toBe(true);
    auth.dispose();
    await expect(auth.credentials()).rejects.toMatchObject({ code: 'BINDING_DISPOSED' });
  });
});
