import { type RedisClusterGateway, startRedisClusterGateway } from '@authx/emulator';
import { Cluster } from 'ioredis';
import { createIoredisAuth, type IoredisAuth, type IoredisAuthEvents } from '../src';
import {
  createJwtSigner,
  type JwtSigner,
  JwtTokenProvider,
  TEST_GATEWAY_ACCESS,
} from './support/jwt-token-provider';
import { sleep, waitFor } from './support/wait-for';

let signer: JwtSigner;
let gateway: RedisClusterGateway;
beforeAll(async () => {
  signer = await createJwtSigner();
  gateway = await startRedisClusterGateway({ jwks: signer.jwks, ...TEST_GATEWAY_ACCESS, masters: 3 });
}, 60_000);
afterAll(async () => {
  await gateway.stop();
});

describe.each([2, 3] as const)('IoredisAuth › new Cluster() (RESP%i)', (protocol) => {
  let provider: JwtTokenProvider;
  let auth: IoredisAuth;
  let cluster: Cluster;

  afterEach(() => {
    if (cluster.status !== 'end') cluster.disconnect();
    auth.dispose();
    provider.close();
  });

  it('re-authenticates every node connection and the subscriber across 3 rotations: no failed command, no eviction, no message lost', async () => {
    provider = new JwtTokenProvider({ signer, lifetimeMs: 2000, refreshRatio: 0.5 });
    auth = createIoredisAuth(provider);
    const reauthenticated: IoredisAuthEvents['reauthenticated'][] = [];
    const failures: IoredisAuthEvents['reauthFailed'][] = [];
    auth.events.on('reauthenticated', (e) => reauthenticated.push(e));
    auth.events.on('reauthFailed', (e) => failures.push(e));
    cluster = auth.bind(
      new Cluster(
        gateway.rootNodes.map(({ url }) => {
          const { hostname, port } = new URL(url);
          return { host: hostname, port: Number(port) };
        }),
        { lazyConnect: true, redisOptions: { protocol } },
      ),
    );
    cluster.on('error', () => {});
    await cluster.connect();
    const messages: string[] = [];
    cluster.on('message', (_channel: string, message: string) => messages.push(message));
    await cluster.subscribe('news');
    const evictedBefore = gateway.stats().evicted;

    let sent = 0;
    let failed = 0;
    const deadline = Date.now() + 4000;
    while (Date.now() < deadline) {
      await Promise.all([
        cluster.set(`a${sent}`, '1'),
        cluster.set(`b${sent}`, '2'),
        cluster.set(`c${sent}`, '3'),
        cluster.publish('news', String(sent)),
      ]).catch(() => failed++);
      sent++;
      if (sent % 4 === 0) await sleep(1);
    }
    await waitFor(() => messages.length >= sent, 'all pub/sub messages');
    await sleep(100);

    expect(failed).toBe(0);
    expect(failures).toEqual([]);
    expect(gateway.stats().evicted - evictedBefore).toBe(0);
    // PUBLISH goes to any node and reaches the subscriber's node over the cluster bus: the order
    // across nodes is the cluster's, so compare as sets — each message exactly once.
    expect([...messages].map(Number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: sent }, (_, i) => i),
    );
    const byConnection = new Map<string, number>();
    for (const e of reauthenticated)
      byConnection.set(e.connection, (byConnection.get(e.connection) ?? 0) + 1);
    const nodes = [...byConnection.keys()].filter((l) => /^cluster#1\/127\.0\.0\.1:\d+$/.test(l));
    expect(nodes.length).toBe(3);
    for (const node of nodes) expect(byConnection.get(node)).toBeGreaterThanOrEqual(3);
    const subscriber = [...byConnection.keys()].find((l) => l.startsWith('cluster#1/subscriber@'));
    expect(subscriber).toBeDefined();
    expect(byConnection.get(subscriber ?? '')).toBeGreaterThanOrEqual(3);
    expect(provider.subscribeCalls).toBe(1);

    cluster.disconnect();
    await waitFor(
      () => !auth.isSubscribed && provider.listenerCount === 0,
      'subscription released after disconnect()',
    );
  });
});

describe('IoredisAuth › new Cluster() › connections opened later and server kills', () => {
  let provider: JwtTokenProvider;
  let auth: IoredisAuth;
  let cluster: Cluster;

  afterEach(() => {
    if (cluster.status !== 'end') cluster.disconnect();
    auth.dispose();
    provider.close();
  });

  it('covers a node connection ioredis opens later, and sends one AUTH per connection per refresh after 3 kills', async () => {
    provider = new JwtTokenProvider({ signer, lifetimeMs: 60_000, refreshRatio: 0 });
    auth = createIoredisAuth(provider);
    cluster = auth.bind(
      new Cluster(
        gateway.rootNodes.map(({ url }) => {
          const { hostname, port } = new URL(url);
          return { host: hostname, port: Number(port) };
        }),
        { lazyConnect: true },
      ),
    );
    cluster.on('error', () => {});
    await cluster.connect();
    const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
    const touchAll = () => Promise.all(keys.map((k) => cluster.set(k, '1')));
    await touchAll();

    // The pool drops a node connection; the next command to its slots makes a new one.
    const [dropped] = cluster.nodes('master');
    dropped?.disconnect();
    await waitFor(() => !cluster.nodes('all').includes(dropped as never), 'node dropped from the pool');
    await touchAll();
    expect(cluster.nodes('master').length).toBe(3);

    for (let kill = 0; kill < 3; kill++) {
      const before = new Set(gateway.connections().map((c) => `${c.node}/${c.id}`));
      gateway.kill();
      // ioredis drops a cluster's node connections when they close and opens new ones on demand.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const ok = await touchAll().then(
          () => true,
          () => false,
        );
        const fresh = gateway.connections().filter((c) => !before.has(`${c.node}/${c.id}`));
        if (ok && fresh.length >= 3) break;
        if (Date.now() > deadline) throw new Error(`nodes did not reconnect (${fresh.length} new)`);
        await sleep(50);
      }
    }
    await touchAll();
    const connectionsBefore = gateway.connections();
    expect(connectionsBefore.every((c) => c.authCount === 1)).toBe(true);

    await provider.rotateNow();
    await waitFor(
      () => gateway.connections().filter((c) => c.authCount >= 2).length >= 3,
      'every node connection re-authenticated',
    );
    await sleep(200);
    await touchAll();
    const after = gateway.connections();
    // Exactly one AUTH per live connection for the one refresh.
    expect(after.filter((c) => c.authCount !== 2)).toEqual([]);
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(provider.subscribeCalls).toBe(1);
    expect(provider.listenerCount).toBe(1);
  });
});

describe.each([2, 3] as const)(
  'IoredisAuth › new Cluster({ shardedSubscribers: true }) (RESP%i)',
  (protocol) => {
    let provider: JwtTokenProvider;
    let auth: IoredisAuth;
    let cluster: Cluster;

    afterEach(() => {
      if (cluster.status !== 'end') cluster.disconnect();
      auth.dispose();
      provider.close();
    });

    it('keeps the sharded subscribers across 3 rotations: every sharded message exactly once, no eviction', async () => {
      provider = new JwtTokenProvider({ signer, lifetimeMs: 2000, refreshRatio: 0.5 });
      auth = createIoredisAuth(provider);
      const reauthenticated: IoredisAuthEvents['reauthenticated'][] = [];
      const failures: IoredisAuthEvents['reauthFailed'][] = [];
      auth.events.on('reauthenticated', (e) => reauthenticated.push(e));
      auth.events.on('reauthFailed', (e) => failures.push(e));
      cluster = auth.bind(
        new Cluster(
          gateway.rootNodes.map(({ url }) => {
            const { hostname, port } = new URL(url);
            return { host: hostname, port: Number(port) };
          }),
          { lazyConnect: true, shardedSubscribers: true, redisOptions: { protocol } },
        ),
      );
      cluster.on('error', () => {});
      await cluster.connect();
      const channels = ['{a}news', '{b}news', '{c}news'];
      const received = new Map(channels.map((c) => [c, [] as number[]]));
      cluster.on('smessage', (channel: string, message: string) =>
        received.get(channel)?.push(Number(message)),
      );
      for (const channel of channels) await cluster.ssubscribe(channel);
      const evictedBefore = gateway.stats().evicted;

      let sent = 0;
      let failed = 0;
      const deadline = Date.now() + 4000;
      while (Date.now() < deadline) {
        await Promise.all(channels.map((c) => cluster.spublish(c, String(sent)))).catch(() => failed++);
        sent++;
        if (sent % 4 === 0) await sleep(1);
      }
      await waitFor(
        () => channels.every((c) => (received.get(c)?.length ?? 0) >= sent),
        'all sharded messages',
      );
      await sleep(100);

      expect(failed).toBe(0);
      expect(failures).toEqual([]);
      expect(gateway.stats().evicted - evictedBefore).toBe(0);
      for (const c of channels) expect(received.get(c)).toEqual(Array.from({ length: sent }, (_, i) => i));
      const sharded = new Set(
        reauthenticated.filter((e) => e.connection.includes('/sharded-subscriber@')).map((e) => e.connection),
      );
      expect(sharded.size).toBeGreaterThanOrEqual(1);
    });
  },
);
