import fc from 'fast-check';
import { createClient } from 'redis';
import { createRedisAuth, type RedisAuth, type RedisAuthEvents } from '../../src';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { JwtTokenProvider } from '../support/jwt-token-provider';
import { ScriptedProvider } from '../support/scripted-provider';
import type { AnyClient } from '../support/types';
import { sleep, waitFor } from '../support/wait-for';

// Issue #17, item 4: RESP2 rotation delivers every message at least once whatever the payloads —
// identical ones included — since it never tells messages apart by content.

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // node-redis 6.0 throws when destroying a client that is already closed.
    }
  }
});

/** A RESP2 subscriber and a publisher, both bound to `auth`. */
async function connectPair(auth: RedisAuth): Promise<{ subscriber: AnyClient; publisher: AnyClient }> {
  const subscriber: AnyClient = auth.bind(createClient({ url: gw.url, RESP: 2, credentialsProvider: auth }), {
    label: 'subscriber',
  });
  const publisher: AnyClient = auth.bind(createClient({ url: gw.url, credentialsProvider: auth }), {
    label: 'publisher',
  });
  for (const client of [subscriber, publisher]) client.on('error', () => {});
  cleanups.push(
    () => auth.dispose(),
    () => subscriber.destroy(),
    () => publisher.destroy(),
  );
  await Promise.all([subscriber.connect(), publisher.connect()]);
  return { subscriber, publisher };
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Payloads whose received count is below their published count. */
function losses(published: readonly string[], received: readonly string[]): string[] {
  const got = countBy(received);
  return [...countBy(published)].filter(([payload, n]) => (got.get(payload) ?? 0) < n).map(([p]) => p);
}

describe('RedisAuth › RESP2 subscriber rotation › repeated payloads', () => {
  it('loses no "ping" on a busy channel over several rotations of 2 s tokens', async () => {
    const provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
    cleanups.push(() => provider.close());
    const auth = createRedisAuth(provider);
    const rotated: RedisAuthEvents['pubsubRotated'][] = [];
    auth.events.on('pubsubRotated', (e) => rotated.push(e));
    const { subscriber, publisher } = await connectPair(auth);
    const received: string[] = [];
    await subscriber.subscribe('heartbeat', (message) => received.push(message));
    const evictedBefore = gw.gateway.stats().evicted;

    let published = 0;
    const deadline = Date.now() + 3600;
    while (Date.now() < deadline) {
      await publisher.publish('heartbeat', 'ping');
      published++;
      if (published % 4 === 0) await sleep(1);
    }
    await waitFor(() => received.length >= published, `every ping received (${published} published)`).catch(
      (error: Error) => {
        throw new Error(`${error.message}; received ${received.length}`);
      },
    );

    expect(received.every((message) => message === 'ping')).toBe(true);
    expect(received.length).toBeGreaterThanOrEqual(published);
    // At-least-once: the extra copies come only from what the bridges delivered.
    expect(received.length - published).toBeLessThanOrEqual(rotated.reduce((sum, e) => sum + e.bridged, 0));
    expect(rotated.length).toBeGreaterThanOrEqual(2);
    expect(gw.gateway.stats().evicted - evictedBefore).toBe(0);
    expect(published).toBeGreaterThan(500);
  });

  it('never loses a message, for random publish sequences over a tiny alphabet and random rotation points (property)', async () => {
    const oid = 'oid-property';
    const provider = new ScriptedProvider({ username: oid, password: await gw.signer.sign(oid, 60_000) });
    const auth = createRedisAuth(provider);
    // The subscriber's rotations are over once it reports the newest generation.
    let subscriberGeneration = 1;
    auth.events.on('reauthenticated', (e) => {
      if (e.connection === 'subscriber') subscriberGeneration = e.generation;
    });
    const { subscriber, publisher } = await connectPair(auth);
    const settled = () =>
      subscriberGeneration === auth.generation &&
      auth.connections().every((c) => c.generation === auth.generation);
    let run = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'ping'), { minLength: 20, maxLength: 200 }),
        fc.uniqueArray(fc.nat({ max: 199 }), { minLength: 1, maxLength: 3 }),
        async (payloads, rotationPoints) => {
          const channel = `property:${++run}`;
          const tokens = await Promise.all(rotationPoints.map(() => gw.signer.sign(oid, 60_000)));
          const rotateAt = new Map(rotationPoints.map((point, i) => [point % payloads.length, tokens[i]]));
          await waitFor(settled, 'previous rotations finished');
          const received: string[] = [];
          const listener = (message: string) => received.push(message);
          await subscriber.subscribe(channel, listener);
          for (const [index, payload] of payloads.entries()) {
            const token = rotateAt.get(index);
            // A refresh lands between two publishes; the rotation runs while publishing goes on.
            if (token) provider.next({ username: oid, password: token });
            await publisher.publish(channel, payload);
          }
          await waitFor(settled, 'rotations finished');
          await waitFor(() => losses(payloads, received).length === 0, 'every payload', 5000).catch(() => {
            const got = countBy(received);
            const report = [...countBy(payloads)].map(([p, n]) => `${p}: ${got.get(p) ?? 0}/${n}`);
            throw new Error(`payloads lost (received/published): ${report.join(', ')}`);
          });
          await subscriber.unsubscribe(channel, listener);
        },
      ),
      // Every run is an integration run against a real server: few runs, and no shrinking (a
      // counterexample is reported as found).
      { numRuns: 12, endOnFailure: true },
    );
    expect(auth.generation).toBeGreaterThan(12);
  }, 60_000);
});
