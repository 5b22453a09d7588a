import { createClientPool } from 'redis';
import { createRedisAuth, type RedisAuth, type RedisAuthEvents } from '../src';
import { startTestGateway, type TestGateway } from './support/gateway';
import { JwtTokenProvider } from './support/jwt-token-provider';
import { waitFor } from './support/wait-for';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('RedisAuth › client pool (createClientPool)', () => {
  let provider: JwtTokenProvider;
  let auth: RedisAuth;

  afterEach(() => {
    auth.dispose();
    provider.close();
  });

  // `auth.poolOptions()` is the documented way (every connection transport-checked); the binding
  // itself as `credentialsProvider` is the way compatible with node-redis' own examples.
  it.each([
    ['auth.poolOptions({ url })', (options: { url: string }) => auth.poolOptions(options)],
    [
      '{ url, credentialsProvider: auth }',
      (options: { url: string }) => ({ ...options, credentialsProvider: auth }),
    ],
  ])(
    're-authenticates every pooled connection, busy or idle, before its token expires (%s)',
    async (_, options) => {
      provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
      auth = createRedisAuth(provider);
      const reauthenticated: RedisAuthEvents['reauthenticated'][] = [];
      auth.events.on('reauthenticated', (e) => reauthenticated.push(e));
      const pool = auth.bind(createClientPool(options({ url: gw.url }), { minimum: 3, maximum: 4 }));
      pool.on('error', () => {});
      await pool.connect();
      const evictedBefore = gw.gateway.stats().evicted;

      let ok = 0;
      const deadline = Date.now() + 3200;
      while (Date.now() < deadline) {
        // Four concurrent commands keep every pooled connection busy part of the time.
        await Promise.all([0, 1, 2, 3].map((i) => pool.set(`pool:${i}`, String(ok))));
        ok++;
      }

      expect(gw.gateway.stats().evicted - evictedBefore).toBe(0);
      const labels = new Set(reauthenticated.map((e) => e.connection));
      expect(labels.size).toBe(pool.totalClients);
      for (const label of labels) expect(label).toMatch(/^pool#1\/client#\d$/);
      // Every pooled connection is on the newest token (or one behind while its AUTH is in flight).
      const newest = auth.generation;
      expect(auth.connections().every((c) => (c.generation ?? 0) >= newest - 1)).toBe(true);
      expect(provider.subscribeCalls).toBe(1);

      await pool.close();
      await waitFor(() => !auth.isSubscribed, 'subscription released after pool.close()');
      expect(provider.listenerCount).toBe(0);
    },
  );
});
