import type { LocalAzureRedis } from '@authx/emulator';
import { createClient } from 'redis';
import { createRedisAuth } from '../../src';
import { waitFor } from '../support/wait-for';
import { clientCredentials, onCleanup, outage, runCleanups, sleep, startAzure, startLoad } from './harness';

describe('self-healing › a long outage (3 s tokens, 30 s of 503, then connection resets, then hangs)', () => {
  let azure: LocalAzureRedis;
  afterEach(async () => {
    await runCleanups();
    await azure?.stop();
  });

  it('comes back once the IdP does, with at most one token request per backoff step and no leaked subscription', async () => {
    azure = await startAzure(3);
    // Recovery capped at 4 s instead of 30 s: the same cadence, scaled like the token lifetimes.
    const recovery = { maxDelayMs: 4000 };
    const provider = clientCredentials(azure, { tokenManagerConfig: { recovery } });
    const auth = createRedisAuth(provider, { recovery });
    const client = auth.bind(createClient({ url: azure.redisUrl }));
    const subscriber = auth.bind(createClient({ url: azure.redisUrl, RESP: 2 }));
    const publisher = auth.bind(createClient({ url: azure.redisUrl }));
    let reconnects = 0;
    client.on('reconnecting', () => reconnects++);
    for (const c of [client, subscriber, publisher]) c.on('error', () => {});
    onCleanup(() => provider.dispose());
    onCleanup(() => auth.dispose());
    for (const c of [client, subscriber, publisher]) onCleanup(() => c.isOpen && c.destroy());
    await Promise.all([client.connect(), subscriber.connect(), publisher.connect()]);
    const received: number[] = [];
    await subscriber.subscribe('news', (m) => received.push(Number(m)));
    let bridged = 0;
    auth.events.on('pubsubRotated', (e) => {
      bridged += e.bridged;
    });
    const load = startLoad(client, 'load');
    onCleanup(() => load.stop());

    const startMs = Date.now();
    let kills = 0;
    for (const kind of ['503', 'reset', 'hang'] as const) {
      const down = outage(azure, kind);
      for (let second = 0; second < 10; second++) {
        await sleep(1000);
        // Gateway kills during the outage: every reconnect must wait, not ask the IdP again.
        if (second === 4) kills += azure.gateway.kill();
      }
      down.end();
    }
    const healthyAtMs = Date.now();
    const during = azure.entra.requests
      .filter((r) => r.endpoint === 'token' && r.timeMs >= startMs && r.timeMs < healthyAtMs)
      .map((r) => r.timeMs);
    await waitFor(() => load.okAfter(healthyAtMs) > 0, 'commands succeed again', 20_000);
    const recoveredInMs =
      Math.min(...load.outcomes.filter((o) => o.ok && o.atMs >= healthyAtMs).map((o) => o.atMs)) -
      healthyAtMs;
    await waitFor(() => subscriber.isReady && publisher.isReady, 'subscriber back', 20_000);
    const from = received.length;
    for (let i = 0; i < 20; i++) await publisher.publish('news', String(i));
    await waitFor(() => new Set(received.slice(from)).size >= 20, 'messages after the outage', 5000);
    await sleep(300);
    await load.stop();

    const gapsMs = during.slice(1).map((t, i) => t - (during[i] as number));
    console.info(
      `30 s outage: ${during.length} token requests (gaps ${gapsMs.join(', ')} ms), ${reconnects} reconnects, ` +
        `${kills} connections killed; recovered ${recoveredInMs} ms after the IdP answered; ` +
        `${load.failedAfter(healthyAtMs).length} commands failed after`,
    );
    // Retries before the expiry (3 at ≤ 1 s), then one per recovery step (1, 2, 4, 4, … s), plus
    // the request a hang leaves in flight until its 1.5 s timeout: never a burst, never one per reconnect.
    expect(during.length).toBeLessThanOrEqual(16);
    expect(reconnects).toBeGreaterThan(0);
    expect(gapsMs.filter((g) => g < 400)).toEqual([]);
    expect(load.failedAfter(healthyAtMs)).toEqual([]);
    // One recovery step (≤ 4.8 s) + a request timeout (1.5 s) + a reconnect delay (≤ 2 s).
    expect(recoveredInMs).toBeLessThan(9000);
    // Every message after the recovery arrived; RESP2 rotations deliver at least once, so a few
    // may have come twice — never more than the bridges delivered.
    const after = received.slice(from);
    expect(new Set(after)).toEqual(new Set(Array.from({ length: 20 }, (_, i) => i)));
    expect(after.length - 20).toBeLessThanOrEqual(bridged);
    expect(provider.subscriberCount()).toBe(1);

    for (const c of [client, subscriber, publisher]) c.destroy();
    await waitFor(() => !auth.isSubscribed, 'binding idle after close');
    expect(provider.subscriberCount()).toBe(0);
    auth.dispose();
    provider.dispose();
  }, 90_000);
});
