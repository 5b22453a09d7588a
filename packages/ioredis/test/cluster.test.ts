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
    const deadline = Date.now() + 6500;
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
