import { createClient } from 'redis';
import { createRedisAuth, type RedisAuth, type RedisAuthEvents } from '../src';
import { type AclRedis, startAclRedis } from './support/acl-redis';
import { CountingClock } from './support/counting-clock';
import { ScriptedProvider } from './support/scripted-provider';
import type { AnyClient } from './support/types';

// Issue #10: what a bound connection costs must not grow with the number of rotations it went
// through. Heap is measured by `pnpm bench:heap-rotations`; here, the binding's bookkeeping is
// counted: AUTHs, listeners, tracked connections, pending timers, subscriptions.

const USERNAME = 'rotating';
const ROTATIONS = 300;
const CLIENT_EVENTS = ['connect', 'ready', 'reconnecting', 'end', 'terminated', 'error'] as const;

let redis: AclRedis;
beforeAll(async () => {
  redis = await startAclRedis();
  // Any password is accepted: every rotation hands out a new one without an ACL change.
  await redis.allowAnyPassword(USERNAME);
});
afterAll(async () => {
  await redis.stop();
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

/** Counts every binding event by name, and the `reauthenticated` ones by connection. */
function recordEvents(auth: RedisAuth) {
  const counts = new Map<keyof RedisAuthEvents, number>();
  const reauthenticatedBy = new Map<string, number>();
  let onReauthenticated: (() => void) | undefined;
  const names: Array<keyof RedisAuthEvents> = [
    'credentialsUpdated',
    'reauthenticated',
    'reauthFailed',
    'reauthDeferred',
    'pubsubRotated',
    'providerError',
    'transportRefused',
    'connectionAdded',
    'connectionRemoved',
    'listenerError',
  ];
  for (const name of names) {
    auth.events.on(name, (event) => {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (name === 'reauthenticated') {
        const { connection } = event as RedisAuthEvents['reauthenticated'];
        reauthenticatedBy.set(connection, (reauthenticatedBy.get(connection) ?? 0) + 1);
        onReauthenticated?.();
      }
    });
  }
  return {
    count: (name: keyof RedisAuthEvents) => counts.get(name) ?? 0,
    reauthenticatedBy,
    /** Resolves once `total` reauthenticated events have been seen in all. */
    reauthenticatedReach(total: number): Promise<void> {
      return new Promise((resolve) => {
        const check = () => {
          if ((counts.get('reauthenticated') ?? 0) < total) return;
          onReauthenticated = undefined;
          resolve();
        };
        onReauthenticated = check;
        check();
      });
    },
  };
}

function listenerCounts(client: AnyClient): Record<string, number> {
  return Object.fromEntries(CLIENT_EVENTS.map((event) => [event, client.listenerCount(event)]));
}

describe('RedisAuth › bookkeeping across rotations', () => {
  it(`sends exactly one AUTH per connection per rotation and keeps nothing per rotation, over ${ROTATIONS} rotations`, async () => {
    const clock = new CountingClock();
    const provider = new ScriptedProvider({ username: USERNAME, password: 'password-0' });
    const auth = createRedisAuth(provider, { clock });
    const events = recordEvents(auth);
    const clients = ([2, 3, 2, 3] as const).map((RESP) => {
      const client: AnyClient = auth.bind(createClient({ url: redis.url, RESP }));
      client.on('error', () => {});
      return client;
    });
    cleanups.push(() => auth.dispose(), ...clients.map((client) => () => client.destroy()));
    await Promise.all(clients.map((client) => client.connect()));
    await redis.resetLog();

    const listenersBefore = clients.map(listenerCounts);
    const pendingBefore = clock.pending;
    const authsBefore = await redis.authCommands();
    const statusBefore = auth.connections();
    expect(statusBefore.map((c) => c.authCommandsSent)).toEqual([0, 0, 0, 0]);

    for (let rotation = 1; rotation <= ROTATIONS; rotation++) {
      provider.next({ username: USERNAME, password: `password-${rotation}` });
      await events.reauthenticatedReach(clients.length * rotation);
    }

    // One AUTH per connection per rotation: the server's count, the binding's and its events agree.
    expect((await redis.authCommands()) - authsBefore).toBe(clients.length * ROTATIONS);
    expect(await redis.authFailures(USERNAME)).toBe(0);
    const status = auth.connections();
    expect(status).toHaveLength(clients.length);
    for (const connection of status) {
      expect(connection).toMatchObject({
        isOpen: true,
        state: 'ready',
        generation: ROTATIONS + 1,
        authCommandsSent: ROTATIONS,
      });
      expect(events.reauthenticatedBy.get(connection.label)).toBe(ROTATIONS);
    }
    expect(events.count('reauthenticated')).toBe(clients.length * ROTATIONS);
    expect(events.count('credentialsUpdated')).toBe(ROTATIONS + 1);
    for (const name of ['reauthFailed', 'reauthDeferred', 'providerError', 'listenerError'] as const) {
      expect([name, events.count(name)]).toEqual([name, 0]);
    }

    // Nothing added per rotation: tracked connections, listeners, timers, subscriptions.
    expect(events.count('connectionAdded')).toBe(clients.length);
    expect(events.count('connectionRemoved')).toBe(0);
    expect(auth.health().connections).toEqual({
      total: clients.length,
      open: clients.length,
      authenticated: clients.length,
    });
    expect(clients.map(listenerCounts)).toEqual(listenersBefore);
    // Every AUTH had a reply deadline, and each one was cleared with its reply.
    expect(clock.timersSet).toBeGreaterThanOrEqual(clients.length * ROTATIONS);
    expect(clock.pending).toBe(pendingBefore);
    expect(auth.subscriptionsOpened).toBe(1);
    expect(provider.subscribeCalls).toBe(1);
    expect(provider.listenerCount).toBe(1);
  });
});
