import Redis from 'ioredis';
import { createIoredisAuth, type IoredisAuth, type IoredisAuthEvents } from '../src';
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

describe.each([2, 3] as const)(
  'IoredisAuth › subscriber made by duplicate() (RESP%i) under rotation',
  (protocol) => {
    let provider: JwtTokenProvider;
    let auth: IoredisAuth;
    let publisher: Redis;
    let subscriber: Redis;

    afterEach(() => {
      for (const c of [subscriber, publisher]) if (c && c.status !== 'end') c.disconnect();
      auth.dispose();
      provider.close();
    });

    it('loses no message, delivers none twice, is never evicted, and leaves no subscription after disconnect()', async () => {
      provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
      auth = createIoredisAuth(provider);
      const rotated: IoredisAuthEvents['pubsubRotated'][] = [];
      const reauthenticated: IoredisAuthEvents['reauthenticated'][] = [];
      const failures: IoredisAuthEvents['reauthFailed'][] = [];
      auth.events.on('pubsubRotated', (e) => rotated.push(e));
      auth.events.on('reauthenticated', (e) => reauthenticated.push(e));
      auth.events.on('reauthFailed', (e) => failures.push(e));
      publisher = auth.bind(new Redis(gw.url, { protocol, lazyConnect: true }), { label: 'publisher' });
      publisher.on('error', () => {});
      await publisher.connect();
      // The application's own duplicate: bound through its parent, as BullMQ's connections are.
      subscriber = publisher.duplicate({ lazyConnect: false });
      subscriber.on('error', () => {});
      await waitFor(() => subscriber.status === 'ready', 'duplicate ready');

      const received: number[] = [];
      const viaPattern: number[] = [];
      const buffers: Buffer[] = [];
      const sharded: number[] = [];
      const channels = new Set<string>();
      subscriber.on('message', (channel: string, message: string) => {
        channels.add(channel);
        received.push(Number(message));
      });
      subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => buffers.push(message));
      subscriber.on('pmessage', (_pattern: string, _channel: string, message: string) =>
        viaPattern.push(Number(message)),
      );
      subscriber.on('smessage', (_channel: string, message: string) => sharded.push(Number(message)));
      await subscriber.subscribe('numbers');
      await subscriber.psubscribe('num*');
      await subscriber.ssubscribe('shard-numbers');
      const evictedBefore = gw.gateway.stats().evicted;

      let sent = 0;
      let failed = 0;
      const deadline = Date.now() + 4000;
      while (Date.now() < deadline) {
        const n = String(sent);
        await Promise.all([publisher.publish('numbers', n), publisher.spublish('shard-numbers', n)]).catch(
          () => failed++,
        );
        sent++;
        if (sent % 4 === 0) await sleep(1);
      }
      const missing = (list: number[]) =>
        Array.from({ length: sent }, (_, i) => i).filter((i) => !list.includes(i));
      await waitFor(
        () => received.length >= sent && viaPattern.length >= sent && sharded.length >= sent,
        'all messages received',
      ).catch((e) => {
        throw new Error(
          `${e.message}; missing ${missing(received)} / ${missing(viaPattern)} / ${missing(sharded)}`,
        );
      });
      await sleep(100);

      expect(failed).toBe(0);
      expect(failures).toEqual([]);
      // Exactly once and in order, on every kind of subscription.
      const all = Array.from({ length: sent }, (_, i) => i);
      expect(received).toEqual(all);
      expect(viaPattern).toEqual(all);
      expect(sharded).toEqual(all);
      expect(buffers.map(Number)).toEqual(all);
      expect([...channels]).toEqual(['numbers']);
      expect(gw.gateway.stats().evicted - evictedBefore).toBe(0);
      const subscriberEvents = reauthenticated.filter((e) => e.connection === 'publisher/duplicate#1');
      expect(subscriberEvents.length).toBeGreaterThanOrEqual(3);
      if (protocol === 2) {
        const viaRotation = subscriberEvents.filter((e) => e.via === 'pubsub-rotation');
        expect(viaRotation.length).toBeGreaterThanOrEqual(3);
        expect(rotated.length).toBe(viaRotation.length);
        expect(rotated.reduce((sum, e) => sum + e.bridged, 0)).toBeGreaterThan(0);
      } else {
        expect(rotated).toEqual([]);
        expect(subscriberEvents.every((e) => e.via === 'auth')).toBe(true);
      }
      expect(sent).toBeGreaterThan(300);
      expect(provider.subscribeCalls).toBe(1);

      subscriber.disconnect();
      publisher.disconnect();
      await waitFor(() => provider.listenerCount === 0, 'subscription released after disconnect()');
      expect(auth.isSubscribed).toBe(false);
    });
  },
);
