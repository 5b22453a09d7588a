import { createRedisAuth } from '@authx/redis-auth';
import { createElastiCacheIamProvider, iamTokenExpiresAtMs } from '../../src';
import { type AwsStack, type Client, connectClients, runLoad, setEnv, startAwsStack } from './support';

const CONNECTIONS = 50;

describe('ElastiCache IAM through @authx/redis-auth and real node-redis (emulator)', () => {
  let stack: AwsStack;
  let restoreEnv: () => void;

  beforeAll(async () => {
    // Role credentials that live 4 s and rotate every 2 s: several rotations during the run.
    stack = await startAwsStack({
      profile: 'elasticache',
      name: 'orders',
      region: 'eu-west-2',
      credentialsLifetimeMs: 4000,
      rotateAfterMs: 2000,
    });
    // The default credentials source (fromNodeProviderChain) finds the container endpoint here.
    restoreEnv = setEnv({
      ...stack.endpoint.env,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: undefined,
    });
  });
  afterAll(async () => {
    restoreEnv();
    await stack.stop();
  });

  it(`${CONNECTIONS} connections across ≥ 3 refreshes and credential rotations: 0 failed commands, 0 evictions, one credentials request per refresh`, async () => {
    const provider = createElastiCacheIamProvider({
      cacheName: 'orders',
      userId: 'app-user',
      region: 'eu-west-2',
      expiresInSeconds: 3,
    });
    let acquired = 0;
    provider.events.on('tokenAcquired', () => acquired++);
    const auth = createRedisAuth(provider, { expiresAtMs: iamTokenExpiresAtMs });
    const reauthFailed: string[] = [];
    auth.events.on('reauthFailed', ({ error }) => reauthFailed.push(error.code));
    let clients: Client[] = [];
    try {
      clients = await connectClients(auth, stack.gateway.url, CONNECTIONS);
      const requestsBefore = stack.endpoint.requests;
      const acquiredBefore = acquired;
      const load = await runLoad(clients, 7000);
      const refreshes = acquired - acquiredBefore;
      expect(load.errors).toEqual([]);
      expect(load.failed).toBe(0);
      expect(load.ok).toBeGreaterThan(CONNECTIONS * 50);
      expect(refreshes).toBeGreaterThanOrEqual(3);
      // Exactly one credentials request per token, however many connections.
      expect(stack.endpoint.requests - requestsBefore).toBe(refreshes);
      expect(stack.endpoint.issued).toBeGreaterThanOrEqual(3);
      const stats = stack.gateway.stats();
      expect(stats.evicted).toBe(0);
      expect(stats.authFailed).toBe(0);
      // Every connection re-authenticated with every new token.
      expect(stats.authOk).toBeGreaterThanOrEqual(CONNECTIONS * (refreshes + 1));
      expect(reauthFailed).toEqual([]);
      console.log(
        `elasticache: ${CONNECTIONS} connections, ${load.ok} ok / ${load.failed} failed, ${refreshes} refreshes, ` +
          `${stack.endpoint.requests - requestsBefore} credentials requests, ${stack.endpoint.issued} credential sets, ` +
          `${stats.authOk} AUTHs ok, ${stats.evicted} evictions`,
      );
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      auth.dispose();
      provider.dispose();
    }
  });
});
