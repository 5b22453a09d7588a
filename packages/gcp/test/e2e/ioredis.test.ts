import { createIoredisAuth } from '@authx/ioredis';
import { GoogleAuth } from 'google-auth-library';
import { Redis } from 'ioredis';
import { createMemorystoreIamProvider } from '../../src';
import { type GoogleStack, setEnv, startGoogleStack } from './support';

// The same provider, unchanged, through @authx/ioredis: Memorystore accepts only unexpired tokens
// the metadata server issued; a reconnect must always carry a valid one.
describe('Memorystore IAM through @authx/ioredis (emulator, real ioredis)', () => {
  let stack: GoogleStack;
  let restoreEnv: () => void;

  beforeEach(async () => {
    // Scaled: 3 s tokens; the metadata server renews when < 1.5 s is left.
    stack = await startGoogleStack({ tokenLifetimeMs: 3000, renewBeforeExpiryMs: 1500 });
    restoreEnv = setEnv({ ...stack.metadata.env, GOOGLE_APPLICATION_CREDENTIALS: undefined });
  });
  afterEach(async () => {
    restoreEnv();
    await stack.stop();
  });

  it('RESP2 and RESP3 clients across ≥ 3 refreshes and a server-side kill: 0 failed commands, one metadata request per refresh', async () => {
    const provider = createMemorystoreIamProvider({
      auth: new GoogleAuth({
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
        clientOptions: { eagerRefreshThresholdMillis: 1000 },
      }),
    });
    let acquired = 0;
    provider.events.on('tokenAcquired', () => acquired++);
    const auth = createIoredisAuth(provider);
    const { port } = new URL(stack.gateway.url);
    const clients = ([2, 2, 3, 3] as const).map((protocol) => {
      const redis = auth.bind(
        new Redis({ host: '127.0.0.1', port: Number(port), protocol, lazyConnect: true }),
      );
      redis.on('error', () => {});
      return redis;
    });
    let ok = 0;
    let failed = 0;
    const evictions: string[] = [];
    stack.gateway.on('evicted', ({ reason }) => evictions.push(reason));
    try {
      await Promise.all(clients.map((redis) => redis.connect()));
      const before = { acquired, requests: stack.metadata.tokenRequests };
      const deadline = Date.now() + 7000;
      let killed = false;
      while (Date.now() < deadline) {
        if (!killed && Date.now() > deadline - 3500) {
          // Reconnects must carry the newest token, not the one the connections started with.
          stack.gateway.kill();
          killed = true;
        }
        await Promise.all(
          clients.map((redis, i) =>
            redis.set(`gcp:${i}`, String(ok)).then(
              () => ok++,
              () => failed++,
            ),
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const refreshes = acquired - before.acquired;
      expect({ failed }).toEqual({ failed: 0 });
      expect(ok).toBeGreaterThan(100);
      expect(refreshes).toBeGreaterThanOrEqual(3);
      expect(stack.metadata.tokenRequests - before.requests).toBe(refreshes);
      // Only the kill closed connections: none was closed for an expired token.
      expect(evictions.filter((reason) => reason !== 'killed')).toEqual([]);
    } finally {
      for (const redis of clients) redis.disconnect();
      auth.dispose();
      provider.dispose();
    }
  });
});
