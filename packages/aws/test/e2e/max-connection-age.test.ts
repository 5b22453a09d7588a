import { AwsCredentialStore, type RedisGateway, startServiceGateway } from '@authx/emulator';
import { createRedisAuth } from '@authx/redis-auth';
import { createElastiCacheIamProvider, iamTokenExpiresAtMs } from '../../src';
import { type Client, connectClients, runLoad } from './support';

// ElastiCache closes a connection 12 h after its last AUTH; scaled here to 1.5 s, with 15-minute
// tokens signed by long-term keys, so no refresh happens during the test: only the age limit matters.
describe('ElastiCache max connection age (emulator, real node-redis through @authx/redis-auth)', () => {
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
    const auth = createRedisAuth(provider, { expiresAtMs: iamTokenExpiresAtMs, maxConnectionAgeMs });
    const evictions: string[] = [];
    gateway.on('evicted', ({ reason }) => evictions.push(reason));
    let clients: Client[] = [];
    try {
      clients = [
        ...(await connectClients(auth, gateway.url, 10, 3)),
        ...(await connectClients(auth, gateway.url, 10, 2)),
      ];
      const load = await runLoad(clients, 5000); // > 3 periods of 1.5 s
      return { load, evictions, tokens: provider.tokenManager.getCurrentToken() ? 1 : 0 };
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      auth.dispose();
      provider.dispose();
    }
  }

  it('with maxConnectionAgeMs (0.6 s): 0 connections closed for age over > 3 max-age periods, 0 failed commands', async () => {
    const { load, evictions } = await run(600);
    expect(load.errors).toEqual([]);
    expect(load.failed).toBe(0);
    expect(evictions).toEqual([]);
    // 20 connections re-authenticated with the same token ~8 times each.
    expect(gateway.stats().authOk).toBeGreaterThanOrEqual(20 * 7);
    console.log(
      `max age: ${load.ok} ok / ${load.failed} failed, ${gateway.stats().authOk} AUTHs, ${evictions.length} evictions`,
    );
  });

  it('without it, the same connections are closed for age (the service would do this after 12 h)', async () => {
    const { evictions } = await run(undefined);
    expect(evictions.length).toBeGreaterThanOrEqual(20);
    expect(new Set(evictions)).toEqual(new Set(['max-age']));
  });
});
