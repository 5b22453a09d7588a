import { createClient } from 'redis';
import { bindCredentials, type RedisAuth, type RedisAuthEvents } from '../src';
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

function record<K extends keyof RedisAuthEvents>(auth: RedisAuth, name: K): RedisAuthEvents[K][] {
  const seen: RedisAuthEvents[K][] = [];
  auth.events.on(name, (event) => seen.push(event));
  return seen;
}

describe.each([2, 3] as const)('bindCredentials › standalone client (RESP%i)', (RESP) => {
  let client: AnyClient;
  let provider: JwtTokenProvider;
  let auth: RedisAuth;

  afterEach(async () => {
    if (client.isOpen) client.destroy();
    auth.dispose();
    provider.close();
  });

  it('keeps a connection alive across several rotations of 2 s tokens, one AUTH per rotation', async () => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
    client = createClient({ url: gw.url, RESP });
    client.on('error', () => {});
    auth = bindCredentials(client, provider);
    const reauthenticated = record(auth, 'reauthenticated');
    const evictedBefore = gw.gateway.stats().evicted;
    await client.connect();

    let ok = 0;
    const deadline = Date.now() + 4500;
    while (Date.now() < deadline) {
      await client.set('k', String(ok));
      ok++;
      await sleep(20);
    }

    expect(gw.gateway.stats().evicted - evictedBefore).toBe(0);
    expect(provider.tokensIssued).toBeGreaterThanOrEqual(4);
    // Every token after the first reached the connection by AUTH, not by reconnecting.
    const viaAuth = reauthenticated.filter((e) => e.via === 'auth');
    expect(viaAuth.length).toBeGreaterThanOrEqual(provider.tokensIssued - 2);
    const [info] = gw.gateway.connections();
    expect(info?.authCount).toBe(1 + viaAuth.length);
    expect(provider.subscribeCalls).toBe(1);
    expect(reauthenticated.every((e) => e.connection === 'client#1')).toBe(true);
  });

  it('sends exactly one AUTH per refresh after K server-side kills, and leaves no subscription after close()', async () => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
    client = createClient({ url: gw.url, RESP });
    client.on('error', () => {});
    auth = bindCredentials(client, provider);
    await client.connect();

    const K = 3;
    for (let kill = 0; kill < K; kill++) {
      const epoch = client.socketEpoch;
      gw.gateway.kill();
      await waitFor(() => client.isReady && client.socketEpoch > epoch, 'reconnect after kill');
    }
    await client.ping();
    const [before] = gw.gateway.connections();
    expect(before?.authCount).toBe(1);

    await provider.rotateNow();
    await waitFor(() => (gw.authCountOf(before?.id ?? -1) ?? 0) >= 2, 'AUTH after refresh');
    await sleep(100);
    await client.ping();
    expect(gw.authCountOf(before?.id ?? -1)).toBe(2);
    expect(provider.subscribeCalls).toBe(1);
    expect(provider.listenerCount).toBe(1);

    await client.close();
    expect(provider.listenerCount).toBe(0);
    expect(auth.isSubscribed).toBe(false);
    expect(provider.isRefreshing).toBe(false);
  });
});
