import { inspect } from 'node:util';
import { createClient } from 'redis';
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

describe('commandKind / blockingTimeoutMs', () => {
  it('recognises transactions and blocking commands in any case', () => {
    expect(commandKind(['multi'])).toBe('multi');
    expect(commandKind(['EXEC'])).toBe('end-transaction');
    expect(commandKind([Buffer.from('discard')])).toBe('end-transaction');
    expect(commandKind(['BLPOP', 'k', '0'])).toBe('blocking');
    expect(commandKind(['XREAD', 'BLOCK', '100', 'STREAMS', 's', '$'])).toBe('blocking');
    expect(commandKind(['XREAD', 'STREAMS', 's', '$'])).toBe('other');
    // A key or group named "block" is not the BLOCK option.
    expect(commandKind(['XREAD', 'STREAMS', 'block', '$'])).toBe('other');
    expect(commandKind(['XREADGROUP', 'GROUP', 'block', 'c', 'STREAMS', 's', '>'])).toBe('other');
    expect(
      commandKind(['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 's', '>']),
    ).toBe('blocking');
    expect(commandKind(['RESET'])).toBe('reset');
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
    expect(resolved.reauthRetry).toMatchObject({
      initialDelayMs: 100,
      maxDelayMs: 5000,
      jitterPercentage: 20,
    });
    expect(resolved.reauthTimeoutMs).toBe(10_000);
    expect(resolved.rotationTimeoutMs).toBe(10_000);
    expect(resolved.credentialsTimeoutMs).toBeUndefined();
    expect(resolved.maxConnectionAgeMs).toBeUndefined();
    expect(resolved.recovery).toEqual({
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      backoffMultiplier: 2,
      jitterPercentage: 20,
    });
    expect(resolved.label).toBe('');
    expect(DEFAULT_REDIS_AUTH_OPTIONS).toEqual({
      reauthInitialDelayMs: 100,
      reauthMaxDelayMs: 5000,
      reauthJitterPercentage: 20,
      reauthTimeoutMs: 10_000,
      rotationTimeoutMs: 10_000,
      credentialsTimeoutMs: 5000,
      maxConnectionAgeMs: undefined,
      recovery: { initialDelayMs: 1000, maxDelayMs: 30_000, backoffMultiplier: 2, jitterPercentage: 20 },
      label: '',
      allowInsecureTransport: false,
      allowedHosts: undefined,
    });
    expect(resolved.transport).toEqual({ allowInsecureTransport: false, allowedHosts: undefined });
  });
  it.each([
    [{ reauthInitialDelayMs: 0 }, 'reauthInitialDelayMs'],
    [{ reauthMaxDelayMs: 10, reauthInitialDelayMs: 20 }, 'reauthMaxDelayMs'],
    [{ expiresAtMs: 5 }, 'expiresAtMs'],
    [{ label: 7 }, 'label'],
    [{ reauthJitterPercentage: 150 }, 'reauthJitterPercentage'],
    [{ rotationTimeoutMs: 0 }, 'rotationTimeoutMs'],
    [{ credentialsTimeoutMs: 'soon' }, 'credentialsTimeoutMs'],
    [{ recovery: { maxDelayMs: -1 } }, 'recovery.maxDelayMs'],
    [{ clock: {} }, 'clock'],
    [{ maxConnectionAgeMs: 99 }, 'maxConnectionAgeMs'],
    [{ maxConnectionAgeMs: Number.POSITIVE_INFINITY }, 'maxConnectionAgeMs'],
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

describe('bound standalone clients', () => {
  it('dispose() unbinds every client still bound after many binds and unbinds (pruning keeps the live ones)', () => {
    const auth = createRedisAuth(new StaticProvider());
    const clients = Array.from({ length: 300 }, () => createClient({ url: 'redis://127.0.0.1:1' }));
    const original = clients.map((client) => client.options?.credentialsProvider);
    for (const client of clients) auth.bind(client);
    // Unbind two of every three: the set of bound clients is pruned along the way.
    clients.forEach((client, i) => {
      if (i % 3 !== 0) auth.unbind(client);
    });
    const more = Array.from({ length: 200 }, () => auth.bind(createClient({ url: 'redis://127.0.0.1:1' })));
    auth.dispose();
    // Every client is back to its own options: none still carries the binding's provider.
    for (const [i, client] of clients.entries())
      expect(client.options?.credentialsProvider).toBe(original[i]);
    for (const client of more) expect(client.options?.credentialsProvider).toBeUndefined();
    // And can be bound to another binding (it is not held by the disposed one).
    const other = createRedisAuth(new StaticProvider());
    for (const client of [...clients, ...more]) expect(other.bind(client)).toBe(client);
    other.dispose();
  });
});
