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

// A monitor connection (`redis.monitor()`, a duplicate in monitor mode) is bound with its client.
// Redis accepts AUTH in monitor mode, but ioredis queues every command of a `monitoring` connection
// until it reconnects, so the binding re-authenticates a monitor by reconnecting it at once.
describe('IoredisAuth › monitor connections', () => {
  let redis: Redis;
  let monitor: Redis | undefined;
  let provider: JwtTokenProvider;
  let auth: IoredisAuth;

  afterEach(() => {
    for (const c of [monitor, redis]) if (c && c.status !== 'end') c.disconnect();
    monitor = undefined;
    auth.dispose();
    provider.close();
  });

  it('keeps a monitor streaming across 3 rotations of 2 s tokens: re-authenticated by reconnects, never evicted', async () => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
    redis = new Redis(gw.url, { lazyConnect: true });
    redis.on('error', () => {});
    auth = bindCredentials(redis, provider);
    const reauthenticated: IoredisAuthEvents['reauthenticated'][] = [];
    auth.events.on('reauthenticated', (event) => reauthenticated.push(event));
    await redis.connect();
    const evictedBefore = gw.gateway.stats().evicted;

    monitor = await redis.monitor();
    monitor.on('error', () => {});
    const seen = new Set<string>();
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'set' && args[1] === 'monitored') seen.add(args[2] ?? '');
    });

    let sent = 0;
    let failed = 0;
    const deadline = Date.now() + 4500;
    while (Date.now() < deadline) {
      await redis.set('monitored', String(sent)).then(
        () => sent++,
        () => failed++,
      );
      await sleep(20);
    }
    await sleep(100);

    expect(failed).toBe(0);
    expect(gw.gateway.stats().evicted - evictedBefore).toBe(0);
    expect(monitor.status).toBe('monitoring');
    // The feed goes on after every refresh, and missed at most what ran during the reconnects (one
    // SET each, every 20 ms, while a reconnect takes a few ms).
    expect(provider.tokensIssued).toBeGreaterThanOrEqual(4);
    const onMonitor = reauthenticated.filter((e) => e.connection === 'redis#1/duplicate#1');
    expect(onMonitor.length).toBeGreaterThanOrEqual(2);
    expect(onMonitor.every((e) => e.via === 'handshake')).toBe(true);
    expect(seen.size).toBeGreaterThanOrEqual(sent - 2 * onMonitor.length);
    const final = String(sent + 1000);
    await waitFor(() => {
      redis.set('monitored', final).catch(() => {});
      return seen.has(final);
    }, 'a SET after the rotations in the monitor feed');
    expect(provider.subscribeCalls).toBe(1);
  });
});
