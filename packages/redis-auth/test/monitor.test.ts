import { createClient } from 'redis';
import { createRedisAuth, type RedisAuth, type RedisAuthEvents } from '../src';
import { startTestGateway, type TestGateway } from './support/gateway';
import { JwtTokenProvider } from './support/jwt-token-provider';
import type { AnyClient } from './support/types';
import { sleep, waitFor } from './support/wait-for';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

// node-redis hands every reply of a monitoring connection to the monitor callback, so an AUTH
// there would never be answered: the binding re-authenticates a monitor by reconnecting it.
describe.each([2, 3] as const)('RedisAuth › a client in monitor mode (RESP%i)', (RESP) => {
  let provider: JwtTokenProvider;
  let auth: RedisAuth;
  const clients: AnyClient[] = [];

  afterEach(() => {
    for (const client of clients.splice(0)) if (client.isOpen) client.destroy();
    auth.dispose();
    provider.close();
  });

  function bound(): AnyClient {
    const client = auth.bind(createClient({ url: gw.url, RESP }) as AnyClient);
    client.on('error', () => {});
    clients.push(client);
    return client;
  }

  it('keeps monitoring across 3 rotations of 2 s tokens: re-authenticated by reconnects, never evicted; reset() ends it', async () => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
    auth = createRedisAuth(provider);
    const reauthenticated: RedisAuthEvents['reauthenticated'][] = [];
    auth.events.on('reauthenticated', (event) => reauthenticated.push(event));
    const monitor = bound();
    const writer = bound();
    await Promise.all([monitor.connect(), writer.connect()]);
    const evictedBefore = gw.gateway.stats().evicted;
    const seen = new Set<string>();
    await monitor.monitor((line: string | Buffer) => {
      const match = /"SET" "monitored" "(\d+)"/i.exec(String(line));
      if (match) seen.add(match[1] as string);
    });

    let sent = 0;
    let failed = 0;
    const deadline = Date.now() + 4500;
    while (Date.now() < deadline) {
      await writer.set('monitored', String(sent)).then(
        () => sent++,
        () => failed++,
      );
      await sleep(20);
    }
    await sleep(100);

    expect(failed).toBe(0);
    expect(gw.gateway.stats().evicted - evictedBefore).toBe(0);
    expect(provider.tokensIssued).toBeGreaterThanOrEqual(4);
    const onMonitor = reauthenticated.filter((e) => e.connection === 'client#1');
    expect(onMonitor.length).toBeGreaterThanOrEqual(2);
    expect(onMonitor.every((e) => e.via === 'handshake')).toBe(true);
    // The feed goes on after the refreshes, and missed at most what ran during the reconnects.
    expect(seen.size).toBeGreaterThanOrEqual(sent - 2 * onMonitor.length);
    const final = String(sent + 1000);
    await waitFor(() => {
      writer.set('monitored', final).catch(() => {});
      return seen.has(final);
    }, 'a SET after the rotations in the monitor feed');

    // After reset() the client is an ordinary connection again: the next refresh AUTHs in place.
    await monitor.reset();
    const before = reauthenticated.length;
    await provider.rotateNow();
    await waitFor(
      () => reauthenticated.slice(before).some((e) => e.connection === 'client#1'),
      'in-place re-auth',
    );
    expect(reauthenticated.slice(before).find((e) => e.connection === 'client#1')?.via).toBe('auth');
    expect(await monitor.ping()).toBe('PONG');
  });
});
