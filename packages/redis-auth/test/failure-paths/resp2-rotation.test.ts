import { createClient } from 'redis';
import {
  bindCredentials,
  createRedisAuth,
  PubSubRotationError,
  type RedisAuth,
  type RedisAuthEvents,
} from '../../src';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createJwtSigner, JwtTokenProvider } from '../support/jwt-token-provider';
import { ScriptedProvider } from '../support/scripted-provider';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';
import type { AnyClient } from '../support/types';
import { sleep, waitFor } from '../support/wait-for';

// Issue #17, items 2, 3 and 8: how a RESP2 subscriber's make-before-break rotation ends when its
// owner closes the client, when the bridge cannot log in, and when a refresh lands mid-way.

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
  // The gateway opens its admin connection to redis-server on the first login: open it now, so
  // that counting sockets later sees only the ones the tests open.
  const oid = 'oid-warm-up';
  const client: AnyClient = createClient({
    url: gw.url,
    credentialsProvider: {
      type: 'async-credentials-provider',
      credentials: async () => ({ username: oid, password: await gw.signer.sign(oid, 60_000) }),
    },
  });
  await client.connect();
  client.destroy();
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

async function relayToGateway(): Promise<TcpRelay> {
  const relay = await startTcpRelay(gw.gateway);
  cleanups.push(() => relay.stop());
  return relay;
}

/** A publisher with credentials of its own (not the binding under test). */
async function startPublisher(oid: string): Promise<AnyClient> {
  const provider = new JwtTokenProvider({ signer: gw.signer, oid, lifetimeMs: 60_000, refreshRatio: 0 });
  const publisher: AnyClient = createClient({ url: gw.url });
  publisher.on('error', () => {});
  const auth = bindCredentials(publisher, provider);
  cleanups.push(
    () => provider.close(),
    () => auth.dispose(),
    () => publisher.destroy(),
  );
  await publisher.connect();
  return publisher;
}

const tcpSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

const expiresAtMsOf = (token: string): number =>
  (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp: number }).exp *
  1000;

describe('RedisAuth › RESP2 subscriber rotation › failure paths', () => {
  it('never reopens a subscriber its owner closes or destroys during the rotation, and leaves no connection behind', async () => {
    for (const ending of ['close', 'destroy'] as const) {
      const oid = `oid-rotation-${ending}`;
      const relay = await relayToGateway();
      const provider = new JwtTokenProvider({ signer: gw.signer, oid, lifetimeMs: 60_000, refreshRatio: 0 });
      const auth = createRedisAuth(provider);
      const subscriber: AnyClient = auth.bind(
        createClient({ url: relay.url, RESP: 2, credentialsProvider: auth }),
      );
      subscriber.on('error', () => {});
      cleanups.push(
        () => provider.close(),
        () => auth.dispose(),
        () => subscriber.destroy(),
      );
      const socketsBefore = tcpSockets();
      await subscriber.connect();
      await subscriber.subscribe('news', () => {});
      const subscriberConnection = relay.accepted - 1;

      // The rotation's PING on the subscriber marks the last moment before the switch: the owner
      // closes the client right then, while the PING is on the wire.
      let closing: Promise<void> | undefined;
      relay.onClientData = (connection, chunk) => {
        if (connection !== subscriberConnection || !chunk.includes('PING')) return;
        relay.onClientData = undefined;
        if (ending === 'close') closing = subscriber.close();
        else subscriber.destroy();
      };
      await provider.rotateNow();
      await waitFor(() => relay.onClientData === undefined, `${ending}() at the rotation's PING`);
      await closing;
      await new Promise((resolve) => setImmediate(resolve));

      expect(subscriber.isOpen).toBe(false);
      await waitFor(() => relay.open === 0, 'neither the subscriber nor the bridge connected');
      expect(relay.accepted).toBe(2);
      await waitFor(
        () => gw.gateway.connections().every((c) => c.identity !== oid),
        'no connection of it left at the gateway',
      );
      await waitFor(() => !auth.isSubscribed, 'subscription released');
      expect(auth.connections()).toEqual([]);
      expect(provider.listenerCount).toBe(0);
      // Nothing keeps the process alive: every socket it opened is gone.
      await waitFor(() => tcpSockets() <= socketsBefore, 'sockets back to where they were');
      expect(subscriber.isOpen).toBe(false);
    }
  });

  it('ends a rotation whose bridge login is refused with a PubSubRotationError, taps nothing, and leaves no bridge after destroy() and dispose()', async () => {
    const oid = 'oid-bridge-refused';
    const relay = await relayToGateway();
    const publisher = await startPublisher('oid-bridge-refused-publisher');
    const provider = new ScriptedProvider({ username: oid, password: await gw.signer.sign(oid, 60_000) });
    const rotationTimeoutMs = 3000;
    const auth = createRedisAuth(provider, { rotationTimeoutMs, reauthInitialDelayMs: 200 });
    const failed: RedisAuthEvents['reauthFailed'][] = [];
    auth.events.on('reauthFailed', (e) => failed.push(e));
    const subscriber: AnyClient = auth.bind(
      createClient({ url: relay.url, RESP: 2, credentialsProvider: auth }),
      { label: 'subscriber' },
    );
    subscriber.on('error', () => {});
    cleanups.push(
      () => auth.dispose(),
      () => subscriber.destroy(),
    );
    await subscriber.connect();
    const received: string[] = [];
    await subscriber.subscribe('refused', (message) => received.push(message));
    const listeners = () => {
      const entry = subscriber.getPubSubListeners('CHANNELS').get('refused');
      return { buffers: entry?.buffers.size, strings: entry?.strings.size };
    };
    expect(listeners()).toEqual({ buffers: 0, strings: 1 });

    // Credentials the gateway refuses (signed by a key it does not trust): the bridge cannot log in.
    const rogue = await createJwtSigner();
    provider.next({ username: oid, password: await rogue.sign(oid, 60_000) });
    const message = 'x'.repeat(1024);
    for (let i = 0; i < 2000; i++) {
      await publisher.publish('refused', message);
      // Nothing but the application's listener is attached to the subscriber meanwhile.
      if (i % 500 === 0) expect(listeners()).toEqual({ buffers: 0, strings: 1 });
    }
    await waitFor(() => failed.length > 0, 'the rotation ends with reauthFailed', rotationTimeoutMs + 2000);
    expect(failed[0]).toMatchObject({ connection: 'subscriber', generation: 2, attempt: 1 });
    expect(failed[0]?.error).toBeInstanceOf(PubSubRotationError);
    expect(failed[0]?.error.code).toBe('PUBSUB_ROTATION_FAILED');
    expect(failed[0]?.retryInMs).toEqual(expect.any(Number));
    expect(provider.reauthErrors.length).toBeGreaterThan(0);
    // The subscriber was never switched: it delivered every message itself, once.
    await waitFor(() => received.length >= 2000, 'every message on the subscriber');
    expect(received.length).toBe(2000);
    expect(listeners()).toEqual({ buffers: 0, strings: 1 });
    expect(subscriber.isReady).toBe(true);

    subscriber.destroy();
    auth.dispose();
    await waitFor(() => relay.open === 0, 'no bridge left after destroy() + dispose()');
    const accepted = relay.accepted;
    const refusals = gw.gateway.stats().authFailed;
    // A surviving bridge would log in again within its reconnect delay (≤ 2 s in node-redis).
    await sleep(1000);
    expect(relay.accepted).toBe(accepted);
    expect(gw.gateway.stats().authFailed).toBe(refusals);
  });

  it('moves the subscriber again when a refresh lands during its rotation: the server ends up with the newest token', async () => {
    const oid = 'oid-refresh-mid-rotation';
    // Distinct lifetimes give each token a distinct exp: the gateway reports which one a connection holds.
    const tokens = await Promise.all([40_000, 50_000, 70_000].map((ms) => gw.signer.sign(oid, ms)));
    const [first, second, third] = tokens as [string, string, string];
    const provider = new ScriptedProvider({ username: oid, password: first });
    const auth: RedisAuth = createRedisAuth(provider);
    const rotated: RedisAuthEvents['pubsubRotated'][] = [];
    auth.events.on('pubsubRotated', (e) => rotated.push(e));
    const subscriber: AnyClient = auth.bind(
      createClient({ url: gw.url, RESP: 2, credentialsProvider: auth }),
      {
        label: 'subscriber',
      },
    );
    subscriber.on('error', () => {});
    cleanups.push(
      () => auth.dispose(),
      () => subscriber.destroy(),
    );
    await subscriber.connect();
    await subscriber.subscribe('mid-rotation', () => {});
    const held = () => gw.gateway.connections().filter((c) => c.identity === oid && c.subscribed);
    expect(held().map((c) => c.tokenExpiresAtMs)).toEqual([expiresAtMsOf(first)]);

    // The second token reaches the gateway twice: first on the bridge, then on the subscriber's
    // new connection. The third arrives right then — after the subscriber's handshake took the
    // second, before the rotation has finished.
    let secondLogins = 0;
    const onAuthOk = (e: { tokenExpiresAtMs: number }) => {
      if (e.tokenExpiresAtMs !== expiresAtMsOf(second) || ++secondLogins !== 2) return;
      provider.next({ username: oid, password: third });
    };
    gw.gateway.on('authOk', onAuthOk);
    cleanups.push(() => gw.gateway.off('authOk', onAuthOk));
    provider.next({ username: oid, password: second });

    await waitFor(
      () => held().length === 1 && held()[0]?.tokenExpiresAtMs === expiresAtMsOf(third),
      'the subscriber holds the third token at the gateway',
    );
    expect(secondLogins).toBe(2);
    await waitFor(() => auth.connections()[0]?.state === 'ready', 'rotation finished');
    expect(auth.connections()).toEqual([expect.objectContaining({ label: 'subscriber', generation: 3 })]);
    expect(rotated.map((e) => e.generation)).toEqual([2, 3]);
    expect(held()[0]?.authCount).toBe(1);
    await waitFor(
      () => gw.gateway.connections().filter((c) => c.identity === oid).length === 1,
      'the bridges gone, the subscriber alone at the gateway',
    );
  });
});
