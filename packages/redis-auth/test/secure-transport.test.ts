import type { LookupFunction } from 'node:net';
import { inspect } from 'node:util';
import {
  type LocalAzureRedis,
  type RedisClusterGateway,
  startEmulator,
  startRedisClusterGateway,
} from '@authx/emulator';
import type { BasicAuth } from '@authx/token-core';
import { createClient, createClientPool, createCluster } from 'redis';
import {
  bindCredentials,
  createRedisAuth,
  INSECURE_TRANSPORT_WARNING_CODE,
  type RedisAuth,
  type RedisAuthEvents,
  RedisAuthErrorCode,
  type StreamingProvider,
} from '../src';
import { startTestGateway, type TestGateway } from './support/gateway';
import {
  createJwtSigner,
  type JwtSigner,
  JwtTokenProvider,
  TEST_GATEWAY_ACCESS,
} from './support/jwt-token-provider';
import { waitFor } from './support/wait-for';

/** A name that is not loopback, resolved to 127.0.0.1 by the socket's own lookup (never by DNS). */
const FAKE_HOST = 'cache.example.test';
const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if ((options as { all?: boolean }).all) {
    (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  } else callback(null, '127.0.0.1', 4);
};

function refusals(auth: RedisAuth): Array<RedisAuthEvents['transportRefused']> {
  const seen: Array<RedisAuthEvents['transportRefused']> = [];
  auth.events.on('transportRefused', (event) => seen.push(event));
  return seen;
}

describe('RedisAuth › secure by default (transport)', () => {
  let gw: TestGateway;
  let provider: JwtTokenProvider;
  let auth: RedisAuth | undefined;
  const clients: Array<{ destroy(): void; isOpen: boolean }> = [];

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.stop();
  });
  beforeEach(() => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) if (client.isOpen) client.destroy();
    auth?.dispose();
    auth = undefined;
    provider.close();
  });

  function track<C extends { destroy(): void; isOpen: boolean }>(client: C): C {
    clients.push(client);
    return client;
  }

  it('refuses a non-loopback host name over plaintext before any token reaches the server, then works once fixed', async () => {
    const logBefore = gw.gateway.authLog().length;
    const client = track(
      createClient({
        socket: { host: FAKE_HOST, port: gw.gateway.port, lookup: toLoopback, reconnectStrategy: false },
        maintNotifications: 'disabled',
      }),
    );
    const errors: Error[] = [];
    client.on('error', (error: Error) => errors.push(error));
    auth = bindCredentials(client, provider);
    const refused = refusals(auth);
    await expect(client.connect()).rejects.toMatchObject({ code: RedisAuthErrorCode.INSECURE_TRANSPORT });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ connection: 'client#1', host: FAKE_HOST });
    expect(refused[0]?.error.message).toContain('rediss://');
    expect(errors.some((e) => (e as { code?: string }).code === 'INSECURE_TRANSPORT')).toBe(true);
    // Nothing reached the gateway: no AUTH / HELLO attempt at all, and no token was minted for it.
    expect(gw.gateway.authLog().length).toBe(logBefore);
    expect(provider.tokensIssued).toBe(0);

    // Fixed: the same binding, a loopback address.
    const fixed = track(createClient({ socket: { host: '127.0.0.1', port: gw.gateway.port } }));
    auth.bind(fixed);
    await fixed.connect();
    expect(await fixed.ping()).toBe('PONG');
    expect(
      gw.gateway
        .authLog()
        .slice(logBefore)
        .every((entry) => entry.ok),
    ).toBe(true);
  });

  it('checks every reconnect attempt too: each one is refused, none reaches the server', async () => {
    const logBefore = gw.gateway.authLog().length;
    const client = track(
      createClient({
        socket: { host: FAKE_HOST, port: gw.gateway.port, lookup: toLoopback, reconnectStrategy: () => 20 },
        maintNotifications: 'disabled',
      }),
    );
    client.on('error', () => {});
    auth = bindCredentials(client, provider);
    const refused = refusals(auth);
    void client.connect().catch(() => {});
    await waitFor(() => refused.length >= 3, 'three refused reconnect attempts');
    expect(refused.every((r) => r.error.code === 'INSECURE_TRANSPORT')).toBe(true);
    expect(gw.gateway.authLog().length).toBe(logBefore);
  });

  it('accepts loopback plaintext (localhost)', async () => {
    const client = track(createClient({ url: `redis://localhost:${gw.gateway.port}` }));
    auth = bindCredentials(client, provider);
    await client.connect();
    expect(await client.ping()).toBe('PONG');
  });

  it('refuses a duplicate pointed at a non-loopback name while the original keeps working', async () => {
    const client = track(createClient({ socket: { host: '127.0.0.1', port: gw.gateway.port } }));
    auth = bindCredentials(client, provider);
    const refused = refusals(auth);
    await client.connect();
    const logBefore = gw.gateway.authLog().length;
    const copy = track(
      client.duplicate({
        socket: { host: FAKE_HOST, port: gw.gateway.port, lookup: toLoopback, reconnectStrategy: false },
        maintNotifications: 'disabled',
      }),
    );
    copy.on('error', () => {});
    await expect(copy.connect()).rejects.toMatchObject({ code: 'INSECURE_TRANSPORT' });
    expect(refused[0]).toMatchObject({ connection: 'client#1/duplicate', host: FAKE_HOST });
    expect(gw.gateway.authLog().length).toBe(logBefore);
    expect(await client.ping()).toBe('PONG');
  });

  it('with allowInsecureTransport sends over plaintext and warns exactly once per binding', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      auth = createRedisAuth(provider, { allowInsecureTransport: true });
      const options = {
        socket: { host: FAKE_HOST, port: gw.gateway.port, lookup: toLoopback },
        maintNotifications: 'disabled' as const,
      };
      const a = track(createClient(options));
      const b = track(createClient(options));
      auth.bind(a);
      auth.bind(b);
      await Promise.all([a.connect(), b.connect()]);
      const c = track(a.duplicate());
      await c.connect();
      expect(await Promise.all([a.ping(), b.ping(), c.ping()])).toEqual(['PONG', 'PONG', 'PONG']);
      const ours = emitWarning.mock.calls.filter(
        ([, options]) => (options as { code?: string } | undefined)?.code === INSECURE_TRANSPORT_WARNING_CODE,
      );
      expect(ours).toHaveLength(1);
      expect(String(ours[0]?.[0])).toContain(FAKE_HOST);
      expect(String(ours[0]?.[0])).not.toContain('eyJ');
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('refuses hosts outside allowedHosts (loopback included), then works once the host is listed', async () => {
    const logBefore = gw.gateway.authLog().length;
    auth = createRedisAuth(provider, { allowedHosts: ['*.redis.cache.windows.net'] });
    const refused = refusals(auth);
    const client = track(
      createClient({ socket: { host: '127.0.0.1', port: gw.gateway.port, reconnectStrategy: false } }),
    );
    client.on('error', () => {});
    auth.bind(client);
    await expect(client.connect()).rejects.toMatchObject({ code: RedisAuthErrorCode.HOST_NOT_ALLOWED });
    expect(refused[0]?.error.message).toContain('allowedHosts');
    expect(gw.gateway.authLog().length).toBe(logBefore);
    auth.dispose();

    auth = createRedisAuth(provider, { allowedHosts: ['*.redis.cache.windows.net', '127.0.0.1'] });
    const fixed = track(createClient({ socket: { host: '127.0.0.1', port: gw.gateway.port } }));
    auth.bind(fixed);
    await fixed.connect();
    expect(await fixed.ping()).toBe('PONG');
  });

  it('never shows a token in the refusal error, event or util.inspect', async () => {
    const token = (await provider.subscribe({ onNext() {}, onError() {} }))[0].password ?? '';
    const client = track(
      createClient({
        socket: { host: FAKE_HOST, port: gw.gateway.port, lookup: toLoopback, reconnectStrategy: false },
        maintNotifications: 'disabled',
      }),
    );
    client.on('error', () => {});
    auth = bindCredentials(client, provider);
    const refused = refusals(auth);
    const error = await client.connect().catch((e: unknown) => e);
    for (const text of [
      String(error),
      inspect(error),
      JSON.stringify(refused),
      inspect(refused, { depth: 5 }),
    ]) {
      expect(text).toContain(FAKE_HOST);
      expect(text).not.toContain(token);
    }
  });

  it('checks every connection of a pool made with auth.poolOptions() before its first AUTH, then works once fixed', async () => {
    auth = createRedisAuth(provider);
    const refused = refusals(auth);
    const logBefore = gw.gateway.authLog().length;
    const pool = createClientPool(
      auth.poolOptions({
        socket: {
          host: FAKE_HOST,
          port: gw.gateway.port,
          lookup: toLoopback,
          reconnectStrategy: false as const,
        },
        maintNotifications: 'disabled' as const,
      }),
      { minimum: 3 },
    );
    pool.on('error', () => {});
    auth.bind(pool);
    await expect(pool.connect()).rejects.toMatchObject({ code: RedisAuthErrorCode.INSECURE_TRANSPORT });
    // Every one of the pool's first connections was refused: none reached the server, no token was minted.
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((r) => r.connection === 'pool-options#1' && r.host === FAKE_HOST)).toBe(true);
    expect(gw.gateway.authLog().length).toBe(logBefore);
    expect(provider.tokensIssued).toBe(0);
    pool.destroy();

    // Fixed: a loopback address; the pool's first connections authenticate through the binding.
    const fixed = createClientPool(
      auth.poolOptions({ socket: { host: '127.0.0.1', port: gw.gateway.port } }),
      {
        minimum: 3,
      },
    );
    auth.bind(fixed);
    try {
      await fixed.connect();
      expect(await fixed.ping()).toBe('PONG');
      const entries = gw.gateway.authLog().slice(logBefore);
      expect(entries.length).toBeGreaterThanOrEqual(3);
      expect(entries.every((entry) => entry.ok)).toBe(true);
    } finally {
      fixed.destroy();
    }
  });

  it('poolOptions() refuses what is not client options, and a disposed binding', () => {
    auth = createRedisAuth(provider);
    expect(() => auth?.poolOptions(null as never)).toThrow(expect.objectContaining({ option: 'options' }));
    expect(() => auth?.poolOptions({}, { label: 7 } as never)).toThrow(
      expect.objectContaining({ option: 'label' }),
    );
    const options = { url: 'redis://127.0.0.1:1' };
    const pooled = auth.poolOptions(options);
    expect(pooled).toMatchObject({
      url: options.url,
      credentialsProvider: { type: 'async-credentials-provider' },
    });
    expect(options).not.toHaveProperty('credentialsProvider');
    auth.dispose();
    expect(() => auth?.poolOptions({})).toThrow(
      expect.objectContaining({ code: RedisAuthErrorCode.BINDING_DISPOSED }),
    );
  });

  describe('construction', () => {
    it.each([
      ['allowInsecureTransport', { allowInsecureTransport: 'yes' }],
      ['allowInsecureTransport', { allowInsecureTransport: 1 }],
      ['allowedHosts', { allowedHosts: 'cache.example.test' }],
      ['allowedHosts', { allowedHosts: [] }],
      ['allowedHosts[0]', { allowedHosts: ['*'] }],
    ])('refuses a bad %s', (option, options) => {
      expect(() => createRedisAuth(provider, options as never)).toThrow(expect.objectContaining({ option }));
    });
  });
});

describe('RedisAuth › secure by default (TLS gateway)', () => {
  let emu: LocalAzureRedis;
  beforeAll(async () => {
    emu = await startEmulator({ tls: true });
  }, 60_000);
  afterAll(async () => {
    await emu.stop();
  });

  function emulatorProvider(): StreamingProvider {
    return {
      type: 'streaming-credentials-provider',
      async subscribe() {
        const issued = await emu.issueAccessToken();
        const credentials: BasicAuth = { username: issued.oid, password: issued.accessToken };
        const dispose = () => {};
        return [credentials, { dispose, [Symbol.dispose]: dispose }];
      },
      onReAuthenticationError() {},
    };
  }

  it('sends the token over TLS to a non-loopback name (servername and CA from the emulator)', async () => {
    const auth = createRedisAuth(emulatorProvider());
    const client = createClient({
      socket: {
        host: FAKE_HOST,
        port: emu.port,
        tls: true,
        ca: emu.caPem,
        servername: 'localhost',
        lookup: toLoopback,
      },
      maintNotifications: 'disabled',
    });
    try {
      auth.bind(client);
      await client.connect();
      expect(await client.ping()).toBe('PONG');
      expect(emu.gateway.authLog().at(-1)?.ok).toBe(true);
    } finally {
      client.destroy();
      auth.dispose();
    }
  });
});

describe('RedisAuth › secure by default (cluster topology)', () => {
  let cluster: RedisClusterGateway;
  let gwSigner: JwtSigner;
  beforeAll(async () => {
    gwSigner = await createJwtSigner();
    cluster = await startRedisClusterGateway({ jwks: gwSigner.jwks, ...TEST_GATEWAY_ACCESS, masters: 3 });
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
  });

  it('refuses node connections the topology names by a non-loopback host, then works once fixed', async () => {
    const provider = new JwtTokenProvider({ signer: gwSigner, lifetimeMs: 60_000, refreshRatio: 0 });
    const auth = createRedisAuth(provider);
    const refused = refusals(auth);
    // Every node the topology announces is reached through a host name (as Azure announces them).
    const nodeAddressMap = (address: string) => {
      const port = Number(address.split(':').at(-1));
      return { host: `node-${port}.example.test`, port };
    };
    const bad = auth.bind(
      createCluster({
        rootNodes: [...cluster.rootNodes],
        nodeAddressMap,
        minimizeConnections: true,
        defaults: {
          credentialsProvider: auth,
          maintNotifications: 'disabled',
          socket: { lookup: toLoopback, reconnectStrategy: false },
        },
      }),
    );
    bad.on('error', () => {});
    const logBefore = cluster.authLog().length;
    try {
      await bad.connect();
      // Discovery went to the loopback root node; the node the topology names is refused.
      const discoveryLog = cluster.authLog().length;
      await expect(bad.set('k', 'v')).rejects.toBeDefined();
      await waitFor(() => refused.length > 0, 'a refused node connection');
      expect(refused[0]?.host).toMatch(/^node-\d+\.example\.test$/);
      expect(refused[0]?.error.code).toBe('INSECURE_TRANSPORT');
      expect(cluster.authLog().length).toBe(discoveryLog);
      expect(discoveryLog - logBefore).toBeLessThanOrEqual(1);
    } finally {
      try {
        bad.destroy();
      } catch {
        // node-redis 6.0 throws when a node client is already closed.
      }
    }

    const good = auth.bind(
      createCluster({ rootNodes: [...cluster.rootNodes], defaults: { credentialsProvider: auth } }),
    );
    try {
      await good.connect();
      await good.set('k', 'v');
      expect(await good.get('k')).toBe('v');
    } finally {
      good.destroy();
      auth.dispose();
      provider.close();
    }
  }, 30_000);
});
