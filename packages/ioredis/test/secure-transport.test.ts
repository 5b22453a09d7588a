import { inspect } from 'node:util';
import {
  type LocalAzureRedis,
  type RedisClusterGateway,
  startEmulator,
  startRedisClusterGateway,
} from '@authx/emulator';
import type { BasicAuth, StreamingProvider } from '@authx/token-core';
import { Cluster, Redis } from 'ioredis';
import { createIoredisAuth, type IoredisAuth, type IoredisAuthEvents } from '../src';
import { startTestGateway, type TestGateway } from './support/gateway';
import {
  createJwtSigner,
  type JwtSigner,
  JwtTokenProvider,
  TEST_GATEWAY_ACCESS,
} from './support/jwt-token-provider';
import { waitFor } from './support/wait-for';

/** A host name that is not loopback; the refusal comes before any lookup, so it never resolves. */
const FAKE_HOST = 'cache.example.test';
/** Not loopback by name, yet Linux connects it to the local host: a plaintext target for the opt-out. */
const THIS_HOST = '0.0.0.0';

/** A `lookup` that resolves every name to 127.0.0.1. */
function toLoopback(_host: string, options: unknown, callback: (...args: unknown[]) => void): void {
  const all = typeof options === 'object' && (options as { all?: boolean } | null)?.all;
  if (all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
}

function refusals(auth: IoredisAuth): IoredisAuthEvents['transportRefused'][] {
  const seen: IoredisAuthEvents['transportRefused'][] = [];
  auth.events.on('transportRefused', (event) => seen.push(event));
  return seen;
}

/** True when `text` holds something shaped like a JWT (the tokens here are JWTs). */
function hasToken(text: string): boolean {
  return /eyJ[\w-]+\.[\w-]+/.test(text);
}

describe('IoredisAuth › secure by default (plaintext gateway)', () => {
  let gw: TestGateway;
  let provider: JwtTokenProvider;
  let auth: IoredisAuth;
  const clients: Redis[] = [];

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
    for (const client of clients.splice(0)) client.disconnect();
    auth?.dispose();
    provider.close();
  });

  function client(host: string, extra: object = {}): Redis {
    const redis = new Redis({
      host,
      port: gw.gateway.port,
      lazyConnect: true,
      retryStrategy: () => null,
      ...extra,
    });
    redis.on('error', () => {});
    clients.push(redis);
    return redis;
  }

  it('refuses a non-loopback host over plaintext before any token is in the options or on the wire; loopback works', async () => {
    auth = createIoredisAuth(provider);
    const refused = refusals(auth);
    const errors: Error[] = [];
    const bad = auth.bind(client(FAKE_HOST));
    bad.on('error', (error: Error) => errors.push(error));
    const authsBefore = gw.gateway.authLog().length;
    const error = await bad.connect().then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error).toMatchObject({ code: 'INSECURE_TRANSPORT' });
    expect(error?.message).toContain(FAKE_HOST);
    expect(error?.message).toMatch(/TLS|rediss/);
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['INSECURE_TRANSPORT']);
    expect(refused).toEqual([expect.objectContaining({ connection: 'redis#1', host: FAKE_HOST })]);
    expect(bad.options.password).toBeUndefined();
    expect(gw.gateway.authLog().length).toBe(authsBefore);
    // Nothing about the refusal carries a token.
    const text = [
      String(error),
      inspect(error),
      JSON.stringify(refused.map((r) => ({ ...r, error: String(r.error) }))),
    ].join('\n');
    expect(hasToken(text)).toBe(false);

    // The same binding serves a loopback client.
    const good = auth.bind(client('localhost'));
    await good.connect();
    expect(await good.ping()).toBe('PONG');
    expect(gw.gateway.authLog().at(-1)?.ok).toBe(true);
  });

  it('refuses a reconnect that goes to a non-loopback host (the options changed after the first connect)', async () => {
    auth = createIoredisAuth(provider);
    const redis = auth.bind(client('127.0.0.1', { retryStrategy: () => 50 }));
    await redis.connect();
    const refused = refusals(auth);
    redis.options.host = FAKE_HOST;
    gw.gateway.kill();
    await waitFor(() => refused.length >= 2, 'two refused reconnects');
    expect(redis.options.password).toBeUndefined();
    redis.options.host = '127.0.0.1';
    await waitFor(() => redis.status === 'ready', 'reconnected to loopback');
    expect(await redis.ping()).toBe('PONG');
  });

  it('with allowInsecureTransport, sends over plaintext and warns exactly once for several connections', async () => {
    const warnings: Array<[unknown, unknown]> = [];
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation(((
      warning: unknown,
      options: unknown,
    ) => {
      warnings.push([warning, options]);
    }) as never);
    try {
      auth = createIoredisAuth(provider, { allowInsecureTransport: true });
      const first = auth.bind(client(THIS_HOST));
      await first.connect();
      const second = first.duplicate();
      clients.push(second);
      await second.connect();
      const third = auth.bind(client(THIS_HOST));
      await third.connect();
      for (const redis of [first, second, third]) expect(await redis.ping()).toBe('PONG');
      const ours = warnings.filter(
        ([, options]) => (options as { code?: string })?.code === 'AUTHX_INSECURE_TRANSPORT',
      );
      expect(ours).toHaveLength(1);
      expect(String(ours[0][0])).toContain(THIS_HOST);
      expect(hasToken(String(ours[0][0]))).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });

  it('allowedHosts refuses a host that is not listed, then works once it is', async () => {
    auth = createIoredisAuth(provider, { allowedHosts: ['*.redis.azure.net'] });
    const refused = refusals(auth);
    const error = await auth
      .bind(client('127.0.0.1'))
      .connect()
      .then(
        () => undefined,
        (e: unknown) => e as Error & { code?: string },
      );
    expect(error).toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    expect(error?.message).toContain('allowedHosts');
    expect(refused).toHaveLength(1);
    auth.dispose();

    auth = createIoredisAuth(provider, { allowedHosts: ['*.redis.azure.net', '127.0.0.1'] });
    const listed = auth.bind(client('127.0.0.1'));
    await listed.connect();
    expect(await listed.ping()).toBe('PONG');
  });

  it.each([
    ['allowInsecureTransport', { allowInsecureTransport: 'yes' }],
    ['allowedHosts', { allowedHosts: 'cache.example' }],
    ['allowedHosts[0]', { allowedHosts: ['*'] }],
  ])('refuses a bad %s at construction, naming it', (option, options) => {
    expect(() => createIoredisAuth(provider, options as never)).toThrow(expect.objectContaining({ option }));
  });
});

describe('IoredisAuth › secure by default (TLS gateway)', () => {
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

  it('sends the token over TLS to a non-loopback name (CA and servername from the emulator)', async () => {
    const auth = createIoredisAuth(emulatorProvider());
    const redis = auth.bind(
      new Redis({
        host: FAKE_HOST,
        port: emu.port,
        lazyConnect: true,
        retryStrategy: () => null,
        // tls.connect takes net's lookup: the fake name reaches the local gateway, nothing leaves the machine.
        tls: { ca: emu.caPem, servername: 'localhost', lookup: toLoopback } as never,
      }),
    );
    redis.on('error', () => {});
    try {
      await redis.connect();
      expect(await redis.ping()).toBe('PONG');
      expect(emu.gateway.authLog().at(-1)?.ok).toBe(true);
    } finally {
      redis.disconnect();
      auth.dispose();
    }
  });
});

describe('IoredisAuth › secure by default (cluster)', () => {
  let cluster: RedisClusterGateway;
  let signer: JwtSigner;
  beforeAll(async () => {
    signer = await createJwtSigner();
    cluster = await startRedisClusterGateway({ jwks: signer.jwks, ...TEST_GATEWAY_ACCESS, masters: 3 });
  }, 60_000);
  afterAll(async () => {
    await cluster.stop();
  });

  const seeds = () =>
    cluster.rootNodes.map(({ url }) => {
      const { hostname, port } = new URL(url);
      return { host: hostname, port: Number(port) };
    });
  // Every node the topology announces is reached by a name that is not loopback (Linux still
  // connects 0.0.0.0 to the local host, so the opt-out can show the same cluster working).
  const natMap = () =>
    Object.fromEntries(
      cluster.rootNodes.map(({ url }) => {
        const { port } = new URL(url);
        return [`127.0.0.1:${port}`, { host: THIS_HOST, port: Number(port) }];
      }),
    );

  it('never gives a token to node connections the topology names by a non-loopback host; the opt-out works', async () => {
    const provider = new JwtTokenProvider({ signer, lifetimeMs: 60_000, refreshRatio: 0 });
    const auth = createIoredisAuth(provider);
    const refused = refusals(auth);
    const bad = auth.bind(
      new Cluster(seeds(), { lazyConnect: true, natMap: natMap(), clusterRetryStrategy: () => null }),
    );
    bad.on('error', () => {});
    const before = cluster.stats().authOk;
    try {
      // Its ready check and commands go to the 0.0.0.0 nodes: neither connect nor a command can succeed.
      void bad.connect().catch(() => {});
      await waitFor(() => refused.length > 0, 'a refused node connection');
      const outcome = await Promise.race([
        bad.set('k', 'v').then(
          () => 'ok',
          (e: { code?: string }) => e.code ?? 'failed',
        ),
        new Promise((resolve) => setTimeout(() => resolve('pending'), 2000)),
      ]);
      expect(outcome).not.toBe('ok');
      expect(refused.every((r) => r.host === THIS_HOST && r.error.code === 'INSECURE_TRANSPORT')).toBe(true);
      // The shared copies hold no token once a node may not receive one.
      expect(bad.options.redisOptions?.password).toBeUndefined();
      for (const node of bad.nodes('all')) {
        if (node.options.host === THIS_HOST) expect(node.options.password).toBeUndefined();
      }
    } finally {
      bad.disconnect();
      auth.dispose();
    }
    // Only the seed connections (127.0.0.1) authenticated: no AUTH came through a 0.0.0.0 node connection.
    const seedAuths = cluster.stats().authOk - before;
    expect(seedAuths).toBeLessThanOrEqual(seeds().length);

    const allowed = createIoredisAuth(provider, { allowInsecureTransport: true });
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation((() => {}) as never);
    const good = allowed.bind(new Cluster(seeds(), { lazyConnect: true, natMap: natMap() }));
    good.on('error', () => {});
    try {
      await good.connect();
      await good.set('k', 'v');
      expect(await good.get('k')).toBe('v');
    } finally {
      good.disconnect();
      allowed.dispose();
      warn.mockRestore();
      provider.close();
    }
  });
});
