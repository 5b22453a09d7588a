import { createIoredisAuth } from '@authx/ioredis';
import { createRedisAuth } from '@authx/redis-auth';
import { startGoogleMetadataServer, startServiceGateway } from '@authx/emulator';
import { GoogleAuth } from 'google-auth-library';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createMemorystoreIamProvider, createReconnectBackoff } from '../../src';
import { waitFor } from './fleet';
import { type GoogleStack, setEnv } from './support';

const CONNECTIONS = 400;
const LIMIT = 200; // new connections per second

interface StormClient {
  readonly ready: boolean;
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
  close(): Promise<unknown>;
}

// Memorystore limits new IAM connections per second. The server drops every connection at once;
// with createReconnectBackoff the clients come back spread out, refused ones retry later, and
// every command — those in flight at the drop retried — succeeds. A token refresh opens no
// connection: re-authentication happens in place.
describe('reconnect storm against Memorystore’s connection-rate limit (emulator, real clients)', () => {
  let stack: GoogleStack | undefined;
  let restoreEnv: (() => void) | undefined;
  afterEach(async () => {
    restoreEnv?.();
    await stack?.stop();
  });

  async function run(binding: 'node-redis' | 'ioredis', strategy: 'backoff' | 'client-default') {
    const metadata = await startGoogleMetadataServer({ tokenLifetimeMs: 3000, renewBeforeExpiryMs: 1500 });
    const gateway = await startServiceGateway({
      profile: 'memorystore',
      tokens: metadata,
      maxNewConnectionsPerSecond: LIMIT,
    });
    stack = {
      metadata,
      gateway,
      stop: async () => {
        await gateway.stop();
        await metadata.stop();
      },
    };
    restoreEnv = setEnv({ ...metadata.env, GOOGLE_APPLICATION_CREDENTIALS: undefined });
    const provider = createMemorystoreIamProvider({
      auth: new GoogleAuth({
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
        // Renewed 1.5 s before expiry (the metadata server's own window), so the token a reconnect
        // takes always has ≥ 1.5 s left: with 1 s, a refresh delayed by the storm's load let a
        // reconnect send a token that expired on its way to the server (9 AUTHs refused once, all
        // recovered) — an artefact of 3 s test tokens, not of hour-long ones.
        clientOptions: { eagerRefreshThresholdMillis: 1500 },
      }),
    });
    let acquired = 0;
    provider.events.on('tokenAcquired', () => acquired++);
    const backoff = strategy === 'backoff' ? createReconnectBackoff() : undefined;
    const { port } = new URL(gateway.url);
    const redisAuth = binding === 'node-redis' ? createRedisAuth(provider) : undefined;
    const ioredisAuth = binding === 'ioredis' ? createIoredisAuth(provider) : undefined;
    const make = (i: number): StormClient & { connect(): Promise<unknown> } => {
      if (redisAuth) {
        const client = redisAuth.bind(
          createClient({
            url: gateway.url,
            credentialsProvider: redisAuth,
            maintNotifications: 'disabled',
            ...(backoff ? { socket: { reconnectStrategy: backoff.reconnectStrategy } } : {}),
          } as never),
          { label: `c${i}` },
        ) as unknown as ReturnType<typeof createClient>;
        client.on('error', () => undefined);
        return {
          get ready() {
            return client.isReady;
          },
          set: (k, v) => client.set(k, v),
          get: (k) => client.get(k),
          close: () => client.close().catch(() => undefined),
          connect: () => client.connect(),
        };
      }
      const redis = ioredisAuth!.bind(
        new Redis({
          host: '127.0.0.1',
          port: Number(port),
          lazyConnect: true,
          ...(backoff ? { retryStrategy: backoff.retryStrategy } : {}),
        }),
        { label: `r${i}` },
      );
      redis.on('error', () => undefined);
      return {
        get ready() {
          return redis.status === 'ready';
        },
        set: (k, v) => redis.set(k, v),
        get: (k) => redis.get(k),
        close: async () => redis.disconnect(),
        connect: () => redis.connect(),
      };
    };
    const clients = Array.from({ length: CONNECTIONS }, (_, i) => make(i));
    let refusedAtConnect = 0;
    try {
      // Connect within the limit: 100, then a pause of 600 ms, is never more than 200 in any second.
      for (let i = 0; i < CONNECTIONS; i += 100) {
        await Promise.all(clients.slice(i, i + 100).map((client) => client.connect()));
        await new Promise((resolve) => setTimeout(resolve, 600));
      }
      refusedAtConnect = gateway.stats().connectionsRateLimited;
      expect(gateway.stats().connectionsOpen).toBe(CONNECTIONS);

      let stopped = false;
      let ok = 0;
      let retried = 0;
      let failed = 0;
      const errors: string[] = [];
      // node-redis rejects the commands in flight when the connection drops, and writes the ones
      // queued meanwhile together with the reconnect's handshake — a refused reconnect rejects them
      // too. So the application retries a rejected command once its client is ready again (at most
      // 10 times). ioredis holds queued commands until the connection is ready and resends those
      // that were in flight: it needs no retry.
      const attempt = async <T>(client: StormClient, command: () => Promise<T>): Promise<T> => {
        for (let tries = 1; ; tries++) {
          try {
            return await command();
          } catch (error) {
            if (tries === 10) throw error;
            retried++;
            await waitFor(() => client.ready, 30_000);
          }
        }
      };
      const load = Promise.all(
        clients.map(async (client, i) => {
          for (let n = 0; !stopped; n++) {
            try {
              await attempt(client, () => client.set(`storm:${i}`, String(n)));
              if ((await attempt(client, () => client.get(`storm:${i}`))) !== String(n)) {
                throw new Error('wrong value');
              }
              ok += 2;
            } catch (error) {
              failed++;
              if (errors.length < 5) errors.push(String(error));
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const beforeKill = gateway.stats();
      const killedAt = Date.now();
      const killed = gateway.kill();
      await waitFor(
        () => gateway.stats().connectionsOpen === CONNECTIONS && clients.every((client) => client.ready),
        30_000,
        () => JSON.stringify(gateway.stats()),
      );
      const recoveredMs = Date.now() - killedAt;
      const afterStorm = gateway.stats();
      // Two more refreshes with every connection back: no connection is opened for them.
      const tokensAfterStorm = acquired;
      await waitFor(() => acquired >= tokensAfterStorm + 2, 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      stopped = true;
      await load;
      const end = gateway.stats();
      const refused = afterStorm.connectionsRateLimited - beforeKill.connectionsRateLimited;
      const reconnects = afterStorm.connectionsAccepted - beforeKill.connectionsAccepted;
      expect(killed).toBe(CONNECTIONS);
      expect(errors).toEqual([]);
      expect(failed).toBe(0);
      expect(ok).toBeGreaterThan(CONNECTIONS * 10);
      // Every connection came back exactly once; the limit refused the excess of the storm.
      expect(reconnects).toBe(CONNECTIONS);
      expect(refused).toBeGreaterThan(0);
      // Re-authentication in place: no new connection during the refreshes after the storm.
      expect(end.connectionsAccepted).toBe(afterStorm.connectionsAccepted);
      expect(end.connectionsRateLimited).toBe(afterStorm.connectionsRateLimited);
      expect(end.authFailed).toBe(0);
      // The reconnects took the binding's current token: the metadata server saw no storm either.
      expect(metadata.tokenRequests).toBe(acquired);
      console.log(
        `storm × ${binding} × ${strategy}: ${killed} connections dropped at once, limit ${LIMIT}/s → ` +
          `all back after ${recoveredMs} ms, ${refused} connection attempts refused (${(refused / CONNECTIONS).toFixed(2)} per connection), ` +
          `${ok} commands ok, ${retried} retried after the drop, ${failed} failed; ` +
          `${acquired - tokensAfterStorm} refreshes after the storm → ${end.connectionsAccepted - afterStorm.connectionsAccepted} new connections; ` +
          `${metadata.tokenRequests} metadata requests for ${acquired} tokens (${refusedAtConnect} refused while connecting)`,
      );
      return { refused, recoveredMs };
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      redisAuth?.dispose();
      ioredisAuth?.dispose();
      provider.dispose();
    }
  }

  it(`node-redis with createReconnectBackoff: ${CONNECTIONS} connections dropped at once all come back, 0 failed commands, 0 new connections per refresh`, () =>
    run('node-redis', 'backoff'));

  it(`ioredis with createReconnectBackoff: the same`, () => run('ioredis', 'backoff'));

  it('node-redis with its own reconnect strategy: recovers too, with more refusals', () =>
    run('node-redis', 'client-default'));

  it('ioredis with its own retry strategy: recovers too, with more refusals', () =>
    run('ioredis', 'client-default'));
});
