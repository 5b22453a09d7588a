import { type RedisClusterGateway, startRedisClusterGateway } from '@authx/emulator';
import { createCluster } from 'redis';
import { createRedisAuth, type RedisAuth, type RedisAuthEvents } from '../src';
import {
  createJwtSigner,
  type JwtSigner,
  JwtTokenProvider,
  TEST_GATEWAY_ACCESS,
} from './support/jwt-token-provider';
import { waitFor } from './support/wait-for';

let signer: JwtSigner;
let cluster: RedisClusterGateway;
beforeAll(async () => {
  signer = await createJwtSigner();
  cluster = await startRedisClusterGateway({ jwks: signer.jwks, ...TEST_GATEWAY_ACCESS, masters: 3 });
}, 60_000);
afterAll(async () => {
  await cluster.stop();
});

describe.each([2, 3] as const)('RedisAuth › cluster (createCluster, RESP%i)', (RESP) => {
  let provider: JwtTokenProvider;
  let auth: RedisAuth;

  afterEach(() => {
    auth.dispose();
    provider.close();
  });

  it('re-authenticates every node client and the pub/sub and sharded pub/sub connections', async () => {
    provider = new JwtTokenProvider({ signer, lifetimeMs: 2000, refreshRatio: 0.5 });
    auth = createRedisAuth(provider);
    const reauthenticated: RedisAuthEvents['reauthenticated'][] = [];
    auth.events.on('reauthenticated', (e) => reauthenticated.push(e));
    const redis = auth.bind(
      createCluster({ rootNodes: [...cluster.rootNodes], RESP, defaults: { credentialsProvider: auth } }),
    );
    redis.on('error', () => {});
    await redis.connect();
    const messages: string[] = [];
    const sharded: string[] = [];
    await redis.subscribe('news', (m) => messages.push(m));
    await redis.sSubscribe('shard-news', (m) => sharded.push(m));
    const evictedBefore = cluster.stats().evicted;

    let sent = 0;
    const deadline = Date.now() + 3200;
    while (Date.now() < deadline) {
      await Promise.all([redis.set(`a${sent}`, '1'), redis.set(`b${sent}`, '2'), redis.set(`c${sent}`, '3')]);
      await redis.publish('news', String(sent));
      await redis.sPublish('shard-news', String(sent));
      sent++;
    }
    await waitFor(
      () => new Set(messages).size === sent && new Set(sharded).size === sent,
      'all pub/sub messages',
    );

    expect(cluster.stats().evicted - evictedBefore).toBe(0);
    const labels = new Set(reauthenticated.map((e) => e.connection));
    expect([...labels].filter((l) => /^cluster#1\/127\.0\.0\.1:\d+$/.test(l)).length).toBe(3);
    expect([...labels].some((l) => l.startsWith('cluster#1/pubsub@'))).toBe(true);
    expect([...labels].some((l) => l.startsWith('cluster#1/sharded-pubsub@'))).toBe(true);
    expect(provider.subscribeCalls).toBe(1);

    await redis.close();
    await waitFor(() => !auth.isSubscribed, 'subscription released after cluster.close()');
  });
});
