import { createClient } from 'redis';
import { createRedisAuth, type RedisAuth, type RedisAuthEvents } from '../../src';
import { type AclRedis, startAclRedis } from '../support/acl-redis';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { JwtTokenProvider } from '../support/jwt-token-provider';
import { ScriptedProvider } from '../support/scripted-provider';
import type { AnyClient } from '../support/types';
import { waitFor } from '../support/wait-for';

// Issue #17, item 10: transactions queued offline, RESET, XREAD's BLOCK option, blocking commands
// in a pipeline, and events after unbind().

let gw: TestGateway;
let acl: AclRedis;
beforeAll(async () => {
  [gw, acl] = await Promise.all([startTestGateway(), startAclRedis()]);
  await acl.setPasswords('app10', 'first-secret', 'second-secret');
});
afterAll(async () => {
  await Promise.all([gw.stop(), acl.stop()]);
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

interface Recorded {
  auth: RedisAuth;
  reauthenticated: RedisAuthEvents['reauthenticated'][];
  deferred: RedisAuthEvents['reauthDeferred'][];
  failed: RedisAuthEvents['reauthFailed'][];
  rotated: RedisAuthEvents['pubsubRotated'][];
}

function record(auth: RedisAuth): Recorded {
  const recorded: Recorded = { auth, reauthenticated: [], deferred: [], failed: [], rotated: [] };
  auth.events.on('reauthenticated', (e) => recorded.reauthenticated.push(e));
  auth.events.on('reauthDeferred', (e) => recorded.deferred.push(e));
  auth.events.on('reauthFailed', (e) => recorded.failed.push(e));
  auth.events.on('pubsubRotated', (e) => recorded.rotated.push(e));
  cleanups.push(() => auth.dispose());
  return recorded;
}

function jwtProvider(oid: string): JwtTokenProvider {
  const provider = new JwtTokenProvider({ signer: gw.signer, oid, lifetimeMs: 60_000, refreshRatio: 0 });
  cleanups.push(() => provider.close());
  return provider;
}

function track<T extends AnyClient>(client: T): T {
  client.on('error', () => {});
  cleanups.push(() => client.destroy());
  return client;
}

describe('RedisAuth › commands that change what an AUTH may do', () => {
  it('keeps the AUTH out of a MULTI queued while the client was offline', async () => {
    const oid = 'oid-offline-multi';
    const provider = jwtProvider(oid);
    const { auth, reauthenticated, deferred } = record(createRedisAuth(provider));
    const client = track(
      auth.bind(createClient({ url: gw.url, credentialsProvider: auth }), { label: 'tx' }),
    );
    await client.connect();
    // Sent the moment the socket dropped: queued offline, written on the new socket once ready.
    let multi: Promise<unknown> | undefined;
    let set: Promise<unknown> | undefined;
    client.once('reconnecting', () => {
      multi = client.sendCommand(['MULTI']);
      set = client.sendCommand(['SET', 'offline:a', '1']);
    });
    expect(gw.gateway.kill({ identity: oid })).toBe(1);
    await waitFor(() => multi !== undefined && client.isReady, 'reconnected, with a MULTI queued offline');
    expect(await multi).toBe('OK');
    expect(await set).toBe('QUEUED');

    await provider.rotateNow();
    expect(deferred.map((e) => [e.connection, e.reason])).toContainEqual(['tx', 'transaction']);
    expect(await client.sendCommand(['SET', 'offline:b', '2'])).toBe('QUEUED');
    // Exactly the queued commands: no AUTH inside the transaction.
    expect(await client.sendCommand(['EXEC'])).toEqual(['OK', 'OK']);
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'tx' && e.generation === 2),
      'AUTH right after EXEC',
    );
    expect(await client.get('offline:b')).toBe('2');
  });

  it('AUTHs again after a RESET, which logs the connection back in as default', async () => {
    const provider = new ScriptedProvider({ username: 'app10', password: 'first-secret' });
    const { auth, reauthenticated } = record(createRedisAuth(provider));
    // RESP2: RESET also switches the connection back to RESP2.
    const client = track(auth.bind(createClient({ url: acl.url, RESP: 2 }), { label: 'reset' }));
    await client.connect();
    expect(await client.sendCommand(['ACL', 'WHOAMI'])).toBe('app10');

    expect(await client.sendCommand(['RESET'])).toBe('RESET');
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'reset' && e.via === 'auth'),
      'AUTH after RESET',
    );
    expect(await client.sendCommand(['ACL', 'WHOAMI'])).toBe('app10');
    expect(auth.connections()).toEqual([expect.objectContaining({ generation: 1, authCommandsSent: 1 })]);
  });

  it('does not take an XREAD of a stream named "block" for a blocking command', async () => {
    const provider = new ScriptedProvider({ username: 'app10', password: 'first-secret' });
    const { auth, reauthenticated, deferred } = record(createRedisAuth(provider));
    const client = track(auth.bind(createClient({ url: acl.url }), { label: 'reader' }));
    await client.connect();
    await client.xAdd('block', '*', { field: 'value' });

    // The refresh lands while each XREAD is pending: its AUTH is queued right behind it.
    const reads = [
      client.sendCommand(['XREAD', 'STREAMS', 'block', '0']),
      client.sendCommand(['XREAD', 'COUNT', '1', 'STREAMS', 'block', 'BLOCK', '0', '0']),
    ];
    provider.next({ username: 'app10', password: 'second-secret' });
    await Promise.all(reads);
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'reader' && e.generation === 2),
      'AUTH with the second secret',
    );
    expect(deferred.filter((e) => e.reason === 'blocking-command')).toEqual([]);
  });

  it('reports an AUTH stuck behind a BLPOP 0 sent in execAsPipeline() as deferred by a blocking command', async () => {
    const oid = 'oid-pipeline-blpop';
    const provider = jwtProvider(oid);
    const { auth, reauthenticated, deferred } = record(createRedisAuth(provider));
    const client = track(
      auth.bind(createClient({ url: gw.url, credentialsProvider: auth }), { label: 'blocked' }),
    );
    const other = track(
      auth.bind(createClient({ url: gw.url, credentialsProvider: auth }), { label: 'other' }),
    );
    await Promise.all([client.connect(), other.connect()]);

    const pipeline = client.multi().blPop('pipeline:empty', 0).execAsPipeline();
    await new Promise((resolve) => setImmediate(resolve));
    await provider.rotateNow();
    await waitFor(
      () => deferred.some((e) => e.connection === 'blocked' && e.reason === 'blocking-command'),
      'deferral behind the pipelined BLPOP',
    );
    const event = deferred.find((e) => e.connection === 'blocked' && e.reason === 'blocking-command');
    expect(event?.willMissExpiry).toBe(true);
    expect(event?.expiresAtMs).toBeGreaterThan(Date.now());
    expect(reauthenticated.some((e) => e.connection === 'blocked' && e.generation === 2)).toBe(false);

    await other.rPush('pipeline:empty', 'wake');
    expect(await pipeline).toEqual([{ key: 'pipeline:empty', element: 'wake' }]);
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'blocked' && e.generation === 2),
      'AUTH after the BLPOP',
    );
  });

  it('emits no reauthenticated or pubsubRotated for a connection after unbind(), even with its AUTH or rotation in flight', async () => {
    const oid = 'oid-unbind-in-flight';
    const provider = jwtProvider(oid);
    const { auth, reauthenticated, rotated } = record(createRedisAuth(provider));
    const client = track(
      auth.bind(createClient({ url: gw.url, credentialsProvider: auth }), { label: 'client' }),
    );
    const subscriber = track(
      auth.bind(createClient({ url: gw.url, RESP: 2, credentialsProvider: auth }), { label: 'subscriber' }),
    );
    await Promise.all([client.connect(), subscriber.connect()]);
    const received: string[] = [];
    await subscriber.subscribe('in-flight', (message) => received.push(message));

    // The bridge of the subscriber's rotation is the first new connection to log in: unbind the
    // subscriber right then, while its rotation is under way.
    const known = new Set(gw.gateway.connections().map((c) => c.id));
    let bridge: number | undefined;
    const closed = new Set<number>();
    const onAuthOk = (e: { connectionId: number }) => {
      if (bridge !== undefined || known.has(e.connectionId)) return;
      bridge = e.connectionId;
      auth.unbind(subscriber);
    };
    const onClose = (e: { connectionId: number }) => closed.add(e.connectionId);
    gw.gateway.on('authOk', onAuthOk).on('close', onClose);
    cleanups.push(() => gw.gateway.off('authOk', onAuthOk).off('close', onClose));

    await provider.rotateNow();
    // The client's AUTH was sent by the refresh and has not been answered yet.
    auth.unbind(client);
    expect(await client.ping()).toBe('PONG');
    await waitFor(() => bridge !== undefined && closed.has(bridge), 'the bridge came and went');
    expect(await client.ping()).toBe('PONG');

    expect(reauthenticated).toEqual([]);
    expect(rotated).toEqual([]);
    expect(auth.connections()).toEqual([]);
    // The subscriber was left as it was: still subscribed on its first connection.
    expect(subscriber.isReady).toBe(true);
    await client.publish('in-flight', 'still here');
    await waitFor(() => received.includes('still here'), 'the subscriber still receives');
  });
});
