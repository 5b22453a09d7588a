import type { StreamingProvider } from '@authx/token-core';
import { createIoredisAuth } from '@authx/ioredis';
import { createRedisAuth } from '@authx/redis-auth';
import { GoogleAuth } from 'google-auth-library';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { createMemorystoreIamProvider } from '../../src';
import { waitFor } from './fleet';
import { type GoogleStack, setEnv, startGoogleStack } from './support';

const SUBSCRIBERS = 20;
const REFRESHES = 3;

interface Side {
  publish(message: string): Promise<unknown>;
  close(): Promise<void>;
  rotations(): number;
}

// A RESP2 subscriber cannot send AUTH, so on Azure (which closes a connection when its token
// expires) the bindings move it onto a new connection before its token expires. Memorystore never
// closes an authenticated connection for expiry: the provider says so
// (`connectionsOutliveCredentials`), and the subscribers stay where they are — no new connection
// per subscriber per refresh against a service that rate-limits new connections.
describe('RESP2 subscribers on Memorystore IAM (emulator, real clients)', () => {
  let stack: GoogleStack;
  let restoreEnv: () => void;
  beforeEach(async () => {
    stack = await startGoogleStack({ tokenLifetimeMs: 3000, renewBeforeExpiryMs: 1500 });
    restoreEnv = setEnv({ ...stack.metadata.env, GOOGLE_APPLICATION_CREDENTIALS: undefined });
  });
  afterEach(async () => {
    restoreEnv();
    await stack.stop();
  });

  const makeProvider = () =>
    createMemorystoreIamProvider({
      auth: new GoogleAuth({
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
        // Renewed when 1.5 s are left (the metadata server's window): a handshake never takes a token
        // in its last second, which a loaded machine could let expire on its way to the server.
        clientOptions: { eagerRefreshThresholdMillis: 1500 },
      }),
    });

  async function nodeRedisSide(provider: StreamingProvider, received: string[][]): Promise<Side> {
    const auth = createRedisAuth(provider);
    let rotations = 0;
    auth.events.on('pubsubRotated', () => rotations++);
    const make = (resp: 2 | 3) => {
      const client = auth.bind(
        createClient({
          url: stack.gateway.url,
          RESP: resp,
          credentialsProvider: auth,
          maintNotifications: 'disabled',
        } as never),
      ) as unknown as ReturnType<typeof createClient>;
      client.on('error', () => undefined);
      return client;
    };
    const publisher = make(3);
    await publisher.connect();
    const subscribers = Array.from({ length: SUBSCRIBERS }, () => make(2));
    await Promise.all(subscribers.map((client) => client.connect()));
    await Promise.all(
      subscribers.map((client, i) =>
        client.subscribe('news', (message: string) => received[i].push(message)),
      ),
    );
    return {
      publish: (message) => publisher.publish('news', message),
      rotations: () => rotations,
      close: async () => {
        await Promise.all([publisher, ...subscribers].map((client) => client.close().catch(() => undefined)));
        auth.dispose();
      },
    };
  }

  async function ioredisSide(provider: StreamingProvider, received: string[][]): Promise<Side> {
    const auth = createIoredisAuth(provider);
    let rotations = 0;
    auth.events.on('pubsubRotated', () => rotations++);
    const { port } = new URL(stack.gateway.url);
    const make = (protocol: 2 | 3) => {
      const redis = auth.bind(
        new Redis({ host: '127.0.0.1', port: Number(port), protocol, lazyConnect: true }),
      );
      redis.on('error', () => undefined);
      return redis;
    };
    const publisher = make(3);
    await publisher.connect();
    const subscribers = Array.from({ length: SUBSCRIBERS }, () => make(2));
    await Promise.all(subscribers.map((redis) => redis.connect()));
    for (const [i, redis] of subscribers.entries()) {
      redis.on('message', (_channel: string, message: string) => received[i].push(message));
    }
    await Promise.all(subscribers.map((redis) => redis.subscribe('news')));
    return {
      publish: (message) => publisher.publish('news', message),
      rotations: () => rotations,
      close: async () => {
        for (const redis of [publisher, ...subscribers]) redis.disconnect();
        auth.dispose();
      },
    };
  }

  async function run(
    binding: 'node-redis' | 'ioredis',
    provider: StreamingProvider,
    onAcquired: (listener: () => void) => void,
  ) {
    let acquired = 0;
    onAcquired(() => acquired++);
    const received: string[][] = Array.from({ length: SUBSCRIBERS }, () => []);
    const side =
      binding === 'node-redis'
        ? await nodeRedisSide(provider, received)
        : await ioredisSide(provider, received);
    try {
      const accepted = stack.gateway.stats().connectionsAccepted;
      const tokensAtStart = acquired;
      let sent = 0;
      while (acquired < tokensAtStart + REFRESHES) {
        await side.publish(String(sent++));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Everything published reached every subscriber.
      await waitFor(() => received.every((messages) => messages.length >= sent), 5000);
      const expected = Array.from({ length: sent }, (_, n) => String(n));
      return {
        refreshes: acquired - tokensAtStart,
        sent,
        newConnections: stack.gateway.stats().connectionsAccepted - accepted,
        rotations: side.rotations(),
        complete: received.every((messages) => expected.every((message) => messages.includes(message))),
        duplicates: received.reduce((n, messages) => n + messages.length - new Set(messages).size, 0),
      };
    } finally {
      await side.close();
    }
  }

  it.each(['node-redis', 'ioredis'] as const)(
    `%s: ${SUBSCRIBERS} RESP2 subscribers stay on their connections across ≥ ${REFRESHES} refreshes — 0 new connections, no message lost or repeated`,
    async (binding) => {
      const provider = makeProvider();
      expect(provider.connectionsOutliveCredentials).toBe(true);
      try {
        const outcome = await run(binding, provider, (listener) =>
          provider.events.on('tokenAcquired', listener),
        );
        expect(outcome.refreshes).toBeGreaterThanOrEqual(REFRESHES);
        expect(outcome).toMatchObject({ newConnections: 0, rotations: 0, complete: true, duplicates: 0 });
        expect(stack.gateway.stats()).toMatchObject({ authFailed: 0, evicted: 0 });
        console.log(`memorystore × ${binding}: ${SUBSCRIBERS} RESP2 subscribers, ${JSON.stringify(outcome)}`);
      } finally {
        provider.dispose();
      }
    },
  );

  it('the same provider without the declaration (as for Azure): every refresh rotates every subscriber onto a new connection', async () => {
    const provider = makeProvider();
    // Only what a streaming provider must have: the binding cannot know the service keeps connections.
    const plain: StreamingProvider = {
      type: 'streaming-credentials-provider',
      subscribe: (listener) => provider.subscribe(listener),
      onReAuthenticationError: (error) => provider.onReAuthenticationError(error),
    };
    try {
      const outcome = await run('node-redis', plain, (listener) =>
        provider.events.on('tokenAcquired', listener),
      );
      expect(outcome.complete).toBe(true);
      // At least one full round (the last refresh's may still be under way when the run ends).
      expect(outcome.rotations).toBeGreaterThanOrEqual(SUBSCRIBERS);
      expect(outcome.newConnections).toBeGreaterThanOrEqual(SUBSCRIBERS);
      console.log(
        `memorystore × node-redis without connectionsOutliveCredentials: ${JSON.stringify(outcome)}`,
      );
    } finally {
      provider.dispose();
    }
  });
});
