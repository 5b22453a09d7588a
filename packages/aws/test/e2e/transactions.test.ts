import { createRedisAuth } from '@authx/redis-auth';
import { createClient } from 'redis';
import { createElastiCacheIamProvider, iamTokenExpiresAtMs } from '../../src';
import { type AwsStack, type Client, startAwsStack, waitFor } from './support';

// ElastiCache refuses AUTH inside MULTI (the emulator's profile too: the transaction would abort).
describe('ElastiCache Serverless: no AUTH inside a hand-written MULTI (emulator, real node-redis)', () => {
  let stack: AwsStack;
  beforeAll(async () => {
    stack = await startAwsStack({
      profile: 'elasticache',
      name: 'orders',
      region: 'ap-southeast-2',
      serverless: true,
    });
  });
  afterAll(() => stack.stop());

  it('a refresh while MULTI is open waits for EXEC; the transaction commits; AUTH follows it', async () => {
    const key = stack.store.addLongTermKey();
    const provider = createElastiCacheIamProvider({
      cacheName: 'orders',
      userId: 'app-user',
      region: 'ap-southeast-2',
      serverless: true,
      credentials: async () => key,
      expiresInSeconds: 2,
    });
    const auth = createRedisAuth(provider, { expiresAtMs: iamTokenExpiresAtMs });
    const deferred: string[] = [];
    const reauthenticated: string[] = [];
    auth.events.on('reauthDeferred', ({ reason }) => deferred.push(reason));
    auth.events.on('reauthenticated', ({ via }) => reauthenticated.push(via));
    const client = auth.bind(
      createClient({
        url: stack.gateway.url,
        RESP: 2,
        credentialsProvider: auth,
        maintNotifications: 'disabled',
      } as never),
    ) as unknown as Client;
    client.on('error', () => undefined);
    try {
      await client.connect();
      const tokensBefore = stack.gateway.stats().authOk;
      await client.sendCommand(['MULTI']);
      await client.sendCommand(['SET', 'tx', '1']);
      // ≥ 1 refresh happens while the transaction is open.
      await waitFor(() => deferred.includes('transaction'), 5000);
      await client.sendCommand(['INCR', 'tx']);
      expect(await client.sendCommand(['EXEC'])).toEqual(['OK', 2]);
      await waitFor(() => reauthenticated.includes('auth'), 3000);
      expect(await client.get('tx')).toBe('2');
      const stats = stack.gateway.stats();
      expect(stats.authFailedByReason['inside-transaction']).toBeUndefined();
      expect(stats.authFailed).toBe(0);
      expect(stats.authOk).toBeGreaterThan(tokensBefore);
      expect(stats.evicted).toBe(0);
    } finally {
      await client.close().catch(() => undefined);
      auth.dispose();
      provider.dispose();
    }
  });

  it('for contrast, the provider given to node-redis directly sends AUTH inside the MULTI: refused, and the transaction aborts', async () => {
    const key = stack.store.addLongTermKey();
    const provider = createElastiCacheIamProvider({
      cacheName: 'orders',
      userId: 'app-user',
      region: 'ap-southeast-2',
      serverless: true,
      credentials: async () => key,
      expiresInSeconds: 2,
    });
    const client = createClient({
      url: stack.gateway.url,
      RESP: 2,
      credentialsProvider: provider,
      maintNotifications: 'disabled',
    } as never) as unknown as Client;
    client.on('error', () => undefined);
    const before = stack.gateway.stats().authFailedByReason['inside-transaction'] ?? 0;
    try {
      await client.connect();
      await client.sendCommand(['MULTI']);
      await client.sendCommand(['SET', 'tx2', '1']);
      await waitFor(
        () => (stack.gateway.stats().authFailedByReason['inside-transaction'] ?? 0) > before,
        5000,
      );
      await expect(client.sendCommand(['EXEC'])).rejects.toThrow(/EXECABORT/);
      expect(await client.get('tx2')).toBeNull();
    } finally {
      await client.close().catch(() => undefined);
      provider.dispose();
    }
  });
});
