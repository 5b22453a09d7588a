import type { LocalAzureRedis } from '@authx/emulator';
import { createClient } from 'redis';
import { createRedisAuth } from '../src';
import { clientCredentials, startAzure, tokenRequests } from './resilience/harness';
import type { AnyClient } from './support/types';

// Issue #10, cold start: a fresh provider and binding, 1,000 clients calling connect() at the same
// moment. Real MSAL (client credentials) against the Entra ID emulator, the token-checking gateway,
// real node-redis. (Here rather than in @authx/entraid's e2e suite: that package cannot depend on
// this one, which already depends on it for tests.)

const CLIENTS = 1000;

let azure: LocalAzureRedis;
beforeAll(async () => {
  azure = await startAzure(3600);
});
afterAll(async () => {
  await azure?.stop();
});

describe('RedisAuth › cold start (real MSAL → emulator → gateway → node-redis)', () => {
  it(`asks the identity provider once when ${CLIENTS} clients of a fresh binding connect at the same moment, and authenticates each connection once`, async () => {
    const provider = clientCredentials(azure);
    const auth = createRedisAuth(provider);
    const clients = Array.from({ length: CLIENTS }, (_, i) => {
      // Both handshakes: AUTH (RESP2) and HELLO … AUTH (RESP3). In two blocks, not alternating:
      // node-redis caches its client class for the last options only, and rebuilds it (~10 ms)
      // whenever they change.
      const RESP = i < CLIENTS / 2 ? 2 : 3;
      const client: AnyClient = auth.bind(createClient({ url: azure.redisUrl, RESP }));
      client.on('error', () => {});
      return client;
    });
    const before = azure.gateway.stats();
    azure.entra.clearRequests();
    try {
      await Promise.all(clients.map((client) => client.connect()));

      expect(tokenRequests(azure)).toBe(1);
      expect(clients.filter((client) => client.isReady)).toHaveLength(CLIENTS);
      // Every connection authenticated exactly once, by its handshake, with the one token.
      const gatewayConnections = azure.gateway.connections();
      expect(gatewayConnections).toHaveLength(CLIENTS);
      expect(gatewayConnections.filter((c) => c.authCount === 1 && c.authFailedCount === 0)).toHaveLength(
        CLIENTS,
      );
      const after = azure.gateway.stats();
      expect(after.authOk - before.authOk).toBe(CLIENTS);
      expect(after.authFailed - before.authFailed).toBe(0);
      const status = auth.connections();
      expect(status).toHaveLength(CLIENTS);
      expect(
        status.filter((c) => c.state === 'ready' && c.generation === 1 && c.authCommandsSent === 0),
      ).toHaveLength(CLIENTS);
      expect(auth.subscriptionsOpened).toBe(1);
    } finally {
      for (const client of clients) if (client.isOpen) client.destroy();
      auth.dispose();
      provider.dispose();
    }
  });
});
