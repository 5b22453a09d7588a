import net from 'node:net';
import Redis, { type RedisOptions } from 'ioredis';
import { createIoredisAuth, type IoredisAuth, type IoredisAuthEvents, PubSubRotationError } from '../src';
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

function record<K extends keyof IoredisAuthEvents>(auth: IoredisAuth, name: K): IoredisAuthEvents[K][] {
  const seen: IoredisAuthEvents[K][] = [];
  auth.events.on(name, (event) => seen.push(event));
  return seen;
}

const EVENTS = ['connect', 'ready', 'close', 'end', 'error', 'message'] as const;

describe('IoredisAuth › failure paths', () => {
  let provider: JwtTokenProvider;
  let auth: IoredisAuth;
  const clients: Redis[] = [];
  const client = (options: RedisOptions = {}) => {
    const redis = new Redis(gw.url, { lazyConnect: true, ...options });
    redis.on('error', () => {});
    clients.push(redis);
    return redis;
  };

  beforeEach(() => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
  });
  afterEach(() => {
    for (const redis of clients.splice(0)) if (redis.status !== 'end') redis.disconnect();
    auth.dispose();
    provider.close();
  });

  it("unbind() restores the instance and leaves the application's own listeners", async () => {
    auth = createIoredisAuth(provider);
    const redis = client();
    const before = Object.fromEntries(EVENTS.map((e) => [e, redis.listenerCount(e)]));
    let readies = 0;
    redis.on('ready', () => readies++);
    auth.bind(redis);
    await redis.connect();
    expect(Object.hasOwn(redis, 'connect')).toBe(true);

    auth.unbind(redis);
    expect(Object.fromEntries(EVENTS.map((e) => [e, redis.listenerCount(e)]))).toEqual({
      ...before,
      ready: before.ready + 1,
    });
    for (const method of ['connect', 'sendCommand', 'duplicate'])
      expect(Object.hasOwn(redis, method)).toBe(false);
    expect(auth.connections()).toEqual([]);
    // Still authenticated with what it had; its listeners keep firing.
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect(true);
    await waitFor(() => readies === 2, "the application's ready listener after a reconnect");
    await waitFor(() => !auth.isSubscribed, 'subscription released after unbind');
  });

  it('defers the AUTH while a MULTI sent on its own is open, and sends it right after EXEC', async () => {
    auth = createIoredisAuth(provider);
    const deferred = record(auth, 'reauthDeferred');
    const reauthenticated = record(auth, 'reauthenticated');
    const redis = auth.bind(client());
    await redis.connect();
    const [connection] = gw.gateway.connections();

    await redis.multi({ pipeline: false });
    const queued = [redis.set('tx', '1'), redis.incr('tx')];
    await sleep(20);
    await provider.rotateNow();
    await sleep(200);
    expect(gw.authCountOf(connection?.id ?? -1)).toBe(1);
    expect(deferred.map((e) => e.reason)).toEqual(['transaction']);

    const result = await redis.exec();
    // Nothing but the application's two commands ran in the transaction.
    expect(result).toEqual([
      [null, 'OK'],
      [null, 2],
    ]);
    expect(await Promise.all(queued)).toEqual(['QUEUED', 'QUEUED']);
    await waitFor(() => reauthenticated.length === 1, 'AUTH after EXEC');
    expect(gw.authCountOf(connection?.id ?? -1)).toBe(2);
  });

  it('never puts an AUTH inside multi().exec() or a pipeline across 3 rotations of 2 s tokens', async () => {
    provider.close();
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
    auth = createIoredisAuth(provider);
    const reauthenticated = record(auth, 'reauthenticated');
    const redis = auth.bind(client());
    await redis.connect();
    const shapes = new Set<string>();
    let rounds = 0;
    const deadline = Date.now() + 4500;
    while (Date.now() < deadline) {
      const [tx, pipe] = await Promise.all([
        redis.multi().set('m', String(rounds)).incr('m').exec(),
        redis.pipeline().set('p', '1').get('p').exec(),
      ]);
      // Exactly the application's replies: no extra element, no AUTH reply among them.
      shapes.add(JSON.stringify([tx, pipe]).replace(/\d+/g, 'N'));
      rounds++;
    }
    expect([...shapes]).toEqual(['[[[null,"OK"],[null,N]],[[null,"OK"],[null,"N"]]]']);
    expect(reauthenticated.filter((e) => e.via === 'auth').length).toBeGreaterThanOrEqual(3);
    expect(rounds).toBeGreaterThan(100);
  });

  it('reports a blocking command that may outlast the credentials (willMissExpiry) and AUTHs once it returns', async () => {
    auth = createIoredisAuth(provider);
    const deferred = record(auth, 'reauthDeferred');
    const reauthenticated = record(auth, 'reauthenticated');
    const redis = auth.bind(client());
    const other = auth.bind(client());
    await Promise.all([redis.connect(), other.connect()]);
    await redis.del('jobs');

    const popped = redis.blpop('jobs', 0);
    await sleep(50);
    await provider.rotateNow();
    await waitFor(() => deferred.length === 1, 'reauthDeferred');
    expect(deferred[0]).toMatchObject({ reason: 'blocking-command', willMissExpiry: true });
    await waitFor(() => reauthenticated.length === 1, 'the other connection re-authenticated');

    await other.rpush('jobs', 'a');
    expect(await popped).toEqual(['jobs', 'a']);
    await waitFor(() => reauthenticated.length === 2, 'AUTH after BLPOP returned');
  });

  it('gives a RESP2 rotation a deadline: the subscriber keeps its subscriptions and the rotation is retried', async () => {
    // A server that accepts connections and never answers: the bridge hangs there.
    const blackHole = net.createServer(() => {});
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const blackHolePort = (blackHole.address() as net.AddressInfo).port;
    try {
      auth = createIoredisAuth(provider, { rotationTimeoutMs: 300, reauthInitialDelayMs: 200 });
      const failures = record(auth, 'reauthFailed');
      const rotated = record(auth, 'pubsubRotated');
      const subscriber = auth.bind(client({ protocol: 2 }));
      const publisher = auth.bind(client({ protocol: 2 }));
      await Promise.all([subscriber.connect(), publisher.connect()]);
      const received: string[] = [];
      subscriber.on('message', (_channel: string, message: string) => received.push(message));
      await subscriber.subscribe('deadline');

      const port = subscriber.options.port;
      subscriber.options.port = blackHolePort;
      await provider.rotateNow();
      await waitFor(() => failures.length >= 1, 'the rotation abandoned at its deadline');
      expect(failures[0]?.error).toBeInstanceOf(PubSubRotationError);
      expect(failures[0]?.error.message).toMatch(/within 300 ms/);
      expect(failures[0]?.retryInMs).toBeGreaterThan(0);
      await publisher.publish('deadline', 'still here');
      await waitFor(() => received.includes('still here'), 'the subscriber untouched');

      subscriber.options.port = port;
      await waitFor(() => rotated.length === 1, 'the retried rotation');
      await publisher.publish('deadline', 'after');
      await waitFor(() => received.includes('after'), 'message after the rotation');
      expect(received).toEqual(['still here', 'after']);
    } finally {
      blackHole.close();
    }
  });

  it('never hands an expired token to a reconnect: it waits for a new one, then comes back by itself', async () => {
    provider.close();
    // 2 s tokens and no refresh: the provider "fails" to renew; the gateway evicts at expiry.
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0 });
    auth = createIoredisAuth(provider, { recovery: { initialDelayMs: 200, maxDelayMs: 400 } });
    const providerErrors = record(auth, 'providerError');
    const redis = auth.bind(client());
    const logBefore = gw.gateway.authLog().length;
    await redis.connect();
    await waitFor(() => redis.status !== 'ready', 'evicted at expiry', 4000);
    await sleep(1000);
    expect(providerErrors.length).toBeGreaterThanOrEqual(1);
    expect(redis.options.password).toBeUndefined();

    await provider.rotateNow();
    await waitFor(() => redis.status === 'ready', 'back with the new token');
    expect(await redis.ping()).toBe('PONG');
    // Every AUTH the gateway saw from this client carried a valid token.
    const log = gw.gateway.authLog().slice(logBefore);
    expect(log.length).toBeGreaterThanOrEqual(2);
    expect(log.filter((entry) => !entry.ok)).toEqual([]);
  });

  it('moves a RESP2 subscriber of shard channels only, which stays in subscriber mode', async () => {
    auth = createIoredisAuth(provider);
    const rotated = record(auth, 'pubsubRotated');
    const subscriber = auth.bind(client({ protocol: 2 }));
    const publisher = auth.bind(client({ protocol: 2 }));
    await Promise.all([subscriber.connect(), publisher.connect()]);
    const received: string[] = [];
    subscriber.on('smessage', (_channel: string, message: string) => received.push(message));
    await subscriber.ssubscribe('only-shard');
    let sent = 0;
    const publishing = (async () => {
      while (rotated.length < 2) {
        await publisher.spublish('only-shard', String(sent++));
        await sleep(1);
      }
    })();
    await provider.rotateNow();
    await waitFor(() => rotated.length === 1, 'first rotation');
    await provider.rotateNow();
    await publishing;
    await waitFor(() => received.length >= sent, 'every message');
    expect(received).toEqual(Array.from({ length: sent }, (_, i) => String(i)));
    expect(subscriber.mode).toBe('subscriber');
  });

  it('a subscriber closed during its rotation is not reopened, and nothing of the rotation stays open', async () => {
    auth = createIoredisAuth(provider);
    const subscriber = auth.bind(client({ protocol: 2 }));
    await subscriber.connect();
    await subscriber.subscribe('closing');
    // The moment the bridge connects (a new connection on the gateway), the owner closes the subscriber.
    let closedAt: 'bridge' | undefined;
    const onConnection = () => {
      if (closedAt) return;
      closedAt = 'bridge';
      subscriber.disconnect();
    };
    gw.gateway.on('connection', onConnection);
    try {
      await provider.rotateNow();
      await waitFor(() => closedAt === 'bridge', 'the rotation under way');
    } finally {
      gw.gateway.off('connection', onConnection);
    }
    await sleep(500);
    expect(subscriber.status).toBe('end');
    expect(gw.gateway.connections().length).toBe(0);
    await waitFor(() => !auth.isSubscribed, 'subscription released');
    expect(provider.listenerCount).toBe(0);
  });
});
