import { createClient } from 'redis';
import { createRedisAuth, type RedisAuth } from '../src';
import { startTestGateway, type TestGateway } from './support/gateway';
import { JwtTokenProvider } from './support/jwt-token-provider';
import type { AnyClient } from './support/types';
import { sleep } from './support/wait-for';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(() => gw.stop());

describe('maxConnectionAgeMs', () => {
  let provider: JwtTokenProvider;
  let auth: RedisAuth;
  let clients: AnyClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.map((client) => (client.isOpen ? client.close() : undefined)));
    clients = [];
    auth.dispose();
    provider.close();
  });

  it('re-authenticates every connection (RESP2, RESP3, a RESP2 subscriber) at least that often with unchanged credentials', async () => {
    // One 60 s token for the whole test: only the age limit causes AUTHs.
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
    auth = createRedisAuth(provider, { maxConnectionAgeMs: 1000 });
    const reauthenticated: string[] = [];
    auth.events.on('reauthenticated', ({ via }) => reauthenticated.push(via));
    let bridged = 0;
    auth.events.on('pubsubRotated', (event) => {
      bridged += event.bridged;
    });
    clients = ([2, 3, 2] as const).map((RESP) => {
      const client = auth.bind(createClient({ url: gw.url, RESP, credentialsProvider: auth })) as AnyClient;
      client.on('error', () => {});
      return client;
    });
    await Promise.all(clients.map((client) => client.connect()));
    let messages = 0;
    await clients[2].subscribe('news', () => messages++);
    const startedAt = Date.now();
    let failed = 0;
    let published = 0;
    while (Date.now() - startedAt < 3600) {
      await Promise.all(clients.slice(0, 2).map((client) => client.set('k', 'v').catch(() => failed++)));
      await clients[0].publish('news', 'm').then(
        () => published++,
        () => failed++,
      );
      await sleep(50);
    }
    expect(failed).toBe(0);
    expect(provider.tokensIssued).toBe(1);
    // 3.6 s at 1 s: three renewals per connection (the subscriber's by make-before-break rotation).
    const auths = reauthenticated.filter((via) => via === 'auth').length;
    const rotations = reauthenticated.filter((via) => via === 'pubsub-rotation').length;
    expect(auths).toBeGreaterThanOrEqual(6);
    expect(auths).toBeLessThanOrEqual(8);
    expect(rotations).toBeGreaterThanOrEqual(3);
    expect(rotations).toBeLessThanOrEqual(4);
    // The RESP2 rotation is at-least-once: nothing lost; a duplicate only among what a bridge carried.
    expect(messages).toBeGreaterThanOrEqual(published);
    expect(messages - published).toBeLessThanOrEqual(bridged);
    expect(gw.gateway.stats().evicted).toBe(0);
  });

  it('without it, unchanged credentials are never sent again', async () => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
    auth = createRedisAuth(provider);
    const client = auth.bind(createClient({ url: gw.url, credentialsProvider: auth })) as AnyClient;
    client.on('error', () => {});
    clients = [client];
    await client.connect();
    await sleep(1500);
    expect(await client.ping()).toBe('PONG');
    expect(auth.connections()[0]?.authCommandsSent ?? 0).toBe(0);
  });
});
