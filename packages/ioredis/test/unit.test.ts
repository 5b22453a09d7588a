import diagnosticsChannel from 'node:diagnostics_channel';
import { InvalidOptionError } from '@authx/token-core';
import Redis, { Cluster } from 'ioredis';
import {
  AlreadyBoundError,
  createIoredisAuth,
  DEFAULT_IOREDIS_AUTH_OPTIONS,
  IOREDIS_DIAGNOSTICS_CHANNELS,
  IoredisAuthErrorCode,
  UnsupportedTargetError,
} from '../src';
import { resolveIoredisAuthOptions } from '../src/options';
import type { CredentialsListener, StreamingProvider } from '../src';

/** A provider that never answers: enough for what needs no server. */
class IdleProvider implements StreamingProvider {
  readonly type = 'streaming-credentials-provider' as const;
  subscribe(_listener: CredentialsListener): Promise<never> {
    return new Promise(() => {});
  }
  onReAuthenticationError(): void {}
}

describe('IoredisAuth › options', () => {
  it('documents its defaults: 100 ms doubling to 5 s with 20 % jitter, 10 s AUTH and rotation deadlines, 5 s credentials wait', () => {
    expect(DEFAULT_IOREDIS_AUTH_OPTIONS).toMatchObject({
      reauthInitialDelayMs: 100,
      reauthMaxDelayMs: 5000,
      reauthJitterPercentage: 20,
      reauthTimeoutMs: 10_000,
      rotationTimeoutMs: 10_000,
      credentialsTimeoutMs: 5000,
      label: '',
    });
    const resolved = resolveIoredisAuthOptions();
    expect(resolved.reauthTimeoutMs).toBe(10_000);
    expect(resolved.rotationTimeoutMs).toBe(10_000);
    // Unset: the client's own connectTimeout applies, else 5000.
    expect(resolved.credentialsTimeoutMs).toBeUndefined();
  });

  it('names the option and the accepted range when one is out of range', () => {
    expect(() => resolveIoredisAuthOptions({ rotationTimeoutMs: 0 })).toThrow(InvalidOptionError);
    expect(() => resolveIoredisAuthOptions({ rotationTimeoutMs: 0 })).toThrow(/rotationTimeoutMs/);
    expect(() => resolveIoredisAuthOptions({ reauthJitterPercentage: 101 })).toThrow(/0 to 100/);
    expect(() => createIoredisAuth({} as StreamingProvider)).toThrow(/provider/);
  });
});

describe('IoredisAuth › bind', () => {
  it('refuses what is not an ioredis Redis or Cluster, with a stable code', () => {
    const auth = createIoredisAuth(new IdleProvider());
    expect(() => auth.bind({})).toThrow(UnsupportedTargetError);
    try {
      auth.bind(new Map());
    } catch (error) {
      expect((error as UnsupportedTargetError).code).toBe(IoredisAuthErrorCode.UNSUPPORTED_TARGET);
    }
    auth.dispose();
  });

  it('refuses a client bound to another binding, and binds the same one twice as once', () => {
    const first = createIoredisAuth(new IdleProvider());
    const second = createIoredisAuth(new IdleProvider());
    const redis = new Redis({ lazyConnect: true });
    expect(first.bind(redis)).toBe(redis);
    expect(first.bind(redis)).toBe(redis);
    expect(() => second.bind(redis)).toThrow(AlreadyBoundError);
    first.unbind(redis);
    expect(second.bind(redis)).toBe(redis);
    second.dispose();
    first.dispose();
    expect(Object.hasOwn(redis, 'connect')).toBe(false);
  });

  it('after many binds and unbinds, dispose() restores every client still bound and none is held', () => {
    const auth = createIoredisAuth(new IdleProvider());
    const clients = Array.from({ length: 300 }, () => auth.bind(new Redis({ lazyConnect: true })));
    // Unbind two of every three (the set of bound clients is pruned along the way), then bind more.
    for (const [i, redis] of clients.entries()) if (i % 3 !== 0) auth.unbind(redis);
    const more = Array.from({ length: 200 }, () => auth.bind(new Redis({ lazyConnect: true })));
    // An unbound client binds again; a bound one binds as once.
    expect(auth.bind(clients[1] as Redis)).toBe(clients[1]);
    expect(auth.bind(clients[0] as Redis)).toBe(clients[0]);
    auth.dispose();
    for (const redis of [...clients, ...more]) expect(Object.hasOwn(redis, 'connect')).toBe(false);
    const other = createIoredisAuth(new IdleProvider());
    for (const redis of [...clients, ...more]) expect(other.bind(redis)).toBe(redis);
    other.dispose();
  });

  it('restores a cluster it unbinds', () => {
    const auth = createIoredisAuth(new IdleProvider());
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    auth.bind(cluster);
    expect(Object.hasOwn(cluster, 'connect')).toBe(true);
    auth.unbind(cluster);
    expect(Object.hasOwn(cluster, 'connect')).toBe(false);
    auth.dispose();
  });

  it('publishes its events on node:diagnostics_channel, never with credentials', () => {
    const seen: unknown[] = [];
    const onMessage = (message: unknown) => seen.push(message);
    diagnosticsChannel.subscribe(IOREDIS_DIAGNOSTICS_CHANNELS.connectionAdded, onMessage);
    try {
      const auth = createIoredisAuth(new IdleProvider(), { label: 'orders' });
      auth.bind(new Redis({ lazyConnect: true, password: 'secret' }));
      expect(seen).toEqual([{ connection: 'orders/redis#1' }]);
      auth.dispose();
    } finally {
      diagnosticsChannel.unsubscribe(IOREDIS_DIAGNOSTICS_CHANNELS.connectionAdded, onMessage);
    }
  });
});
