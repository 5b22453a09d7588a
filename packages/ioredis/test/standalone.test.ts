import Redis from 'ioredis';
import { bindCredentials, type IoredisAuth, type IoredisAuthEvents } from '../src';
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

function connectionIdsOf(gateway: TestGateway): number[] {
  return gateway.gateway.connections().map((c) => c.id);
}

const CASES = [
  [2, 'new Redis()'],
  [3, 'new Redis()'],
  [2, 'duplicate()'],
  [3, 'duplicate()'],
] as const;

describe.each(CASES)('bindCredentials › RESP%i, %s', (protocol, kind) => {
  let redis: Redis;
  let parent: Redis | undefined;
  let provider: JwtTokenProvider;
  let auth: IoredisAuth;
  let label: string;

  /** The connection under test: the bound client itself, or a duplicate of it (bound through it). */
  function bound(): Redis {
    const client = new Redis(gw.url, { protocol, lazyConnect: true });
    client.on('error', () => {});
    auth = bindCredentials(client, provider);
    if (kind === 'new Redis()') {
      label = 'redis#1';
      return client;
    }
    parent = client;
    label = 'redis#1/duplicate#1';
    const copy = client.duplicate();
    copy.on('error', () => {});
    return copy;
  }

  afterEach(async () => {
    for (const c of [redis, parent]) if (c && c.status !== 'end') c.disconnect();
    parent = undefined;
    auth.dispose();
    provider.close();
  });

  it('keeps a connection alive across 3 rotations of 2 s tokens, one AUTH per rotation, no failed command', async () => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
    redis = bound();
    const reauthenticated = record(auth, 'reauthenticated');
    const evictedBefore = gw.gateway.stats().evicted;
    await redis.connect();

    let ok = 0;
    let failed = 0;
    const deadline = Date.now() + 4500;
    while (Date.now() < deadline) {
      await redis.set('k', String(ok)).then(
        () => ok++,
        () => failed++,
      );
      await sleep(20);
    }

    expect(failed).toBe(0);
    expect(gw.gateway.stats().evicted - evictedBefore).toBe(0);
    expect(provider.tokensIssued).toBeGreaterThanOrEqual(4);
    const viaAuth = reauthenticated.filter((e) => e.via === 'auth');
    expect(viaAuth.length).toBeGreaterThanOrEqual(3);
    expect(viaAuth.length).toBeGreaterThanOrEqual(provider.tokensIssued - 2);
    const [info] = gw.gateway.connections();
    expect(info?.authCount).toBe(1 + viaAuth.length);
    expect(provider.subscribeCalls).toBe(1);
    expect(reauthenticated.every((e) => e.connection === label)).toBe(true);
  });

  it('sends exactly one AUTH per refresh after 3 server-side kills, reconnects with the newest token, and leaves no subscription after quit()', async () => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
    redis = bound();
    await redis.connect();

    for (let kill = 0; kill < 3; kill++) {
      const before = connectionIdsOf(gw);
      gw.gateway.kill();
      await waitFor(
        () => redis.status === 'ready' && connectionIdsOf(gw).some((id) => !before.includes(id)),
        'reconnect after kill',
      );
      await redis.ping();
    }
    const [connection] = gw.gateway.connections();
    expect(connection?.authCount).toBe(1);

    await provider.rotateNow();
    await waitFor(() => gw.authCountOf(connection?.id ?? -1) >= 2, 'AUTH after refresh');
    await sleep(100);
    await redis.ping();
    expect(gw.authCountOf(connection?.id ?? -1)).toBe(2);

    // A kill after the refresh: the reconnect handshake carries the newest token (no AUTH after it).
    const before = connectionIdsOf(gw);
    gw.gateway.kill();
    await waitFor(
      () => redis.status === 'ready' && connectionIdsOf(gw).some((id) => !before.includes(id)),
      'reconnect after kill',
    );
    await redis.ping();
    const [after] = gw.gateway.connections();
    expect(after?.authCount).toBe(1);
    const log = gw.gateway.authLog().filter((e) => e.connectionId === after?.id);
    expect(log.map((e) => e.ok)).toEqual([true]);
    expect(provider.subscribeCalls).toBe(1);
    expect(provider.listenerCount).toBe(1);

    await redis.quit();
    await waitFor(() => provider.listenerCount === 0, 'subscription released after quit()');
    expect(auth.isSubscribed).toBe(false);
    expect(provider.isRefreshing).toBe(false);
  });
});
