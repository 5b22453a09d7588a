import { createClient } from 'redis';
import { createRedisAuth, type RedisAuth, type RedisAuthEvents } from '../src';
import type { AnyClient } from './support/types';
import { startTestGateway, type TestGateway } from './support/gateway';
import { JwtTokenProvider } from './support/jwt-token-provider';
import { sleep, waitFor } from './support/wait-for';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe.each([2, 3] as const)('RedisAuth › subscriber (RESP%i) under rotation', (RESP) => {
  let provider: JwtTokenProvider;
  let auth: RedisAuth;
  let subscriber: AnyClient;
  let publisher: AnyClient;

  afterEach(async () => {
    for (const c of [subscriber, publisher]) if (c?.isOpen) c.destroy();
    auth.dispose();
    provider.close();
  });

  it('loses no message, keeps its listeners firing and is never evicted', async () => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
    auth = createRedisAuth(provider);
    const rotated: RedisAuthEvents['pubsubRotated'][] = [];
    const reauthenticated: RedisAuthEvents['reauthenticated'][] = [];
    auth.events.on('pubsubRotated', (e) => rotated.push(e));
    auth.events.on('reauthenticated', (e) => reauthenticated.push(e));
    subscriber = auth.bind(createClient({ url: gw.url, RESP, credentialsProvider: auth }), {
      label: 'subscriber',
    });
    publisher = auth.bind(createClient({ url: gw.url, RESP, credentialsProvider: auth }), {
      label: 'publisher',
    });
    for (const c of [subscriber, publisher]) c.on('error', () => {});
    await Promise.all([subscriber.connect(), publisher.connect()]);

    const received: number[] = [];
    const viaPattern: number[] = [];
    const buffers: Buffer[] = [];
    await subscriber.subscribe('numbers', (message) => received.push(Number(message)));
    await subscriber.subscribe('numbers', (message) => buffers.push(message), true);
    await subscriber.pSubscribe('num*', (message) => viaPattern.push(Number(message)));
    const evictedBefore = gw.gateway.stats().evicted;

    let sent = 0;
    const deadline = Date.now() + 3600;
    while (Date.now() < deadline) {
      await publisher.publish('numbers', String(sent));
      sent++;
      if (sent % 4 === 0) await sleep(1);
    }
    const missing = (list: number[]) =>
      Array.from({ length: sent }, (_, i) => i).filter((i) => !list.includes(i));
    await waitFor(
      () => new Set(received).size === sent && new Set(viaPattern).size === sent,
      'all messages received',
    ).catch((e) => {
      throw new Error(`${e.message}; missing ${missing(received)} / ${missing(viaPattern)}`);
    });

    expect(missing(received)).toEqual([]);
    expect(missing(viaPattern)).toEqual([]);
    expect(buffers.length).toBe(received.length);
    const duplicates =
      received.length - new Set(received).size + viaPattern.length - new Set(viaPattern).size;
    expect(gw.gateway.stats().evicted - evictedBefore).toBe(0);
    const subscriberEvents = reauthenticated.filter((e) => e.connection === 'subscriber');
    expect(subscriberEvents.length).toBeGreaterThanOrEqual(2);
    if (RESP === 2) {
      // While subscribed, every new token reached the RESP2 subscriber by make-before-break.
      const viaRotation = subscriberEvents.filter((e) => e.via === 'pubsub-rotation');
      expect(viaRotation.length).toBeGreaterThanOrEqual(2);
      expect(rotated.length).toBe(viaRotation.length);
      // At-least-once: duplicates only among what the bridges delivered (channel + pattern).
      const bridged = rotated.reduce((sum, e) => sum + e.bridged, 0);
      expect(duplicates).toBeLessThanOrEqual(bridged);
    } else {
      expect(rotated).toEqual([]);
      expect(subscriberEvents.every((e) => e.via === 'auth')).toBe(true);
      expect(duplicates).toBe(0);
    }
    await waitFor(() => subscriber.isReady, 'subscriber ready');
    expect(sent).toBeGreaterThan(200);
  });
});
