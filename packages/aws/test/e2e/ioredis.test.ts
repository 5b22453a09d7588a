import { AwsCredentialStore, type RedisGateway, startServiceGateway } from '@authx/emulator';
import { createIoredisAuth } from '@authx/ioredis';
import { Redis } from 'ioredis';
import { createElastiCacheIamProvider, iamTokenExpiresAtMs } from '../../src';

// The same provider, unchanged, through @authx/ioredis: ElastiCache's IAM AUTH and its
// connection-age limit (12 h, scaled to 1.5 s), with 15-minute tokens from long-term keys so that
// no refresh happens during the test — only the age limit matters.
describe('ElastiCache IAM through @authx/ioredis (emulator, real ioredis)', () => {
  const store = new AwsCredentialStore();
  const key = store.addLongTermKey();
  let gateway: RedisGateway;
  beforeEach(async () => {
    gateway = await startServiceGateway({
      profile: 'elasticache',
      cacheName: 'orders',
      region: 'us-east-1',
      credentials: store,
      maxConnectionAgeMs: 1500,
    });
  });
  afterEach(() => gateway.stop());

  async function run(maxConnectionAgeMs: number | undefined) {
    const provider = createElastiCacheIamProvider({
      cacheName: 'orders',
      userId: 'app-user',
      region: 'us-east-1',
      credentials: async () => key,
    });
    const auth = createIoredisAuth(provider, { expiresAtMs: iamTokenExpiresAtMs, maxConnectionAgeMs });
    const evictions: string[] = [];
    gateway.on('evicted', ({ reason }) => evictions.push(reason));
    const { port } = new URL(gateway.url);
    const clients = ([2, 2, 2, 3, 3, 3] as const).map((protocol) => {
      const redis = auth.bind(
        new Redis({ host: '127.0.0.1', port: Number(port), protocol, lazyConnect: true }),
      );
      redis.on('error', () => {});
      return redis;
    });
    let ok = 0;
    let failed = 0;
    try {
      await Promise.all(clients.map((redis) => redis.connect()));
      const deadline = Date.now() + 5000; // > 3 periods of 1.5 s
      while (Date.now() < deadline) {
        await Promise.all(
          clients.map((redis, i) =>
            redis.set(`age:${i}`, String(ok)).then(
              () => ok++,
              () => failed++,
            ),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return { ok, failed, evictions };
    } finally {
      for (const redis of clients) redis.disconnect();
      auth.dispose();
      provider.dispose();
    }
  }

  it('with maxConnectionAgeMs (0.6 s): every command succeeds and no connection is closed for age', async () => {
    const outcome = await run(600);
    expect(outcome).toMatchObject({ failed: 0, evictions: [] });
    expect(outcome.ok).toBeGreaterThan(100);
    // 6 connections re-authenticated with the same (valid) token about every 0.6 s.
    expect(gateway.stats().authOk).toBeGreaterThanOrEqual(6 * 6);
  });

  it('without it, the service closes the same connections for age', async () => {
    const { evictions } = await run(undefined);
    expect(evictions.length).toBeGreaterThanOrEqual(6);
    expect(new Set(evictions)).toEqual(new Set(['max-age']));
  });
});
