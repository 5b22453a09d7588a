import type { LocalAzureRedis } from '@authx/emulator';
import { createClient, createClientPool, createCluster } from 'redis';
import { CredentialsProviderError, createRedisAuth, type RedisAuth, type RedisAuthEvents } from '../../src';
import { waitFor } from '../support/wait-for';
import {
  clientCredentials,
  onCleanup,
  outage,
  runCleanups,
  sleep,
  startAzure,
  startLoad,
  tokenRequests,
} from './harness';

/** Waits for the provider's first token and returns when it will be refreshed (epoch ms). */
function firstRefreshAtMs(provider: ReturnType<typeof clientCredentials>): Promise<number> {
  return new Promise((resolve) => {
    const subscription = provider.events.on('tokenAcquired', (e) => {
      subscription.dispose();
      resolve(e.refreshAtMs);
    });
  });
}

describe('self-healing › an identity-provider outage that outlives the token (6 s tokens, 503 for 4 s from the first refresh)', () => {
  let azure: LocalAzureRedis;
  afterEach(async () => {
    await runCleanups();
    await azure?.stop();
  });

  it('brings a client, a RESP2 subscriber and a pool back by themselves: 0 failures once the IdP answers, 0 expired tokens sent', async () => {
    azure = await startAzure(6);
    // Refresh at 70 % of the lifetime, as in the report this reproduces: 503 from ~4.2 s to ~8.2 s
    // outlives the token (exp ≈ 7 s).
    const provider = clientCredentials(azure, {
      tokenManagerConfig: { expirationRefreshRatio: 0.7, lowerRefreshBoundMs: 0, refreshJitterMs: 0 },
    });
    const auth = createRedisAuth(provider);
    const providerErrors: RedisAuthEvents['providerError'][] = [];
    auth.events.on('providerError', (e) => providerErrors.push(e));
    const refreshAt = firstRefreshAtMs(provider);
    const client = auth.bind(createClient({ url: azure.redisUrl }), { label: 'load' });
    const subscriber = auth.bind(createClient({ url: azure.redisUrl, RESP: 2 }), { label: 'subscriber' });
    const publisher = auth.bind(createClient({ url: azure.redisUrl }), { label: 'publisher' });
    const pool = auth.bind(
      createClientPool({ url: azure.redisUrl, credentialsProvider: auth }, { minimum: 2 }),
    );
    for (const c of [client, subscriber, publisher, pool]) c.on('error', () => {});
    onCleanup(() => provider.dispose());
    onCleanup(() => auth.dispose());
    for (const c of [client, subscriber, publisher, pool]) onCleanup(() => c.isOpen && c.destroy());
    await Promise.all([client.connect(), subscriber.connect(), publisher.connect(), pool.connect()]);
    const received: number[] = [];
    await subscriber.subscribe('news', (m) => received.push(Number(m)));
    let bridged = 0;
    auth.events.on('pubsubRotated', (e) => {
      bridged += e.bridged;
    });
    const load = startLoad(client, 'load');
    const poolLoad = startLoad(pool, 'pool');
    onCleanup(() => Promise.all([load.stop(), poolLoad.stop()]));
    const expiredBefore = azure.gateway.stats().authFailedByReason.expired ?? 0;

    const refreshAtMs = await refreshAt;
    await sleep(Math.max(0, refreshAtMs - Date.now() - 100));
    const down = outage(azure, '503');
    const outageStartMs = Date.now();
    await sleep(4000);
    const healthyAtMs = down.end();

    // The token ran out during the outage: the gateway evicted every connection.
    expect(azure.gateway.stats().evicted).toBeGreaterThan(0);
    await waitFor(
      () => load.okAfter(healthyAtMs) > 0 && poolLoad.okAfter(healthyAtMs) > 0,
      'commands succeed again',
      15_000,
    );
    const recoveredInMs =
      Math.min(...load.outcomes.filter((o) => o.ok && o.atMs >= healthyAtMs).map((o) => o.atMs)) -
      healthyAtMs;
    await waitFor(() => subscriber.isReady && publisher.isReady, 'subscriber and publisher ready', 15_000);
    // Subscriptions intact: everything published after the recovery arrives.
    const from = received.length;
    for (let i = 0; i < 50; i++) await publisher.publish('news', String(1000 + i));
    await waitFor(() => new Set(received.slice(from)).size >= 50, 'messages after recovery', 5000);
    await sleep(500);
    await Promise.all([load.stop(), poolLoad.stop()]);

    console.info(
      `outage ${healthyAtMs - outageStartMs} ms; recovered ${recoveredInMs} ms after the IdP answered; ` +
        `${tokenRequests(azure, outageStartMs, healthyAtMs)} token requests during it; ` +
        `${load.outcomes.filter((o) => !o.ok).length} commands failed in all, ${load.failedAfter(healthyAtMs).length} after`,
    );
    expect(load.failedAfter(healthyAtMs)).toEqual([]);
    expect(poolLoad.failedAfter(healthyAtMs)).toEqual([]);
    // Back within one recovery step (1–2 s at that point, plus a reconnect delay) — generous bound.
    expect(recoveredInMs).toBeLessThan(6000);
    expect((azure.gateway.stats().authFailedByReason.expired ?? 0) - expiredBefore).toBe(0);
    // Every message after the recovery arrived; RESP2 rotations deliver at least once, so a few
    // may have come twice — never more than the bridges delivered.
    const after = received.slice(from);
    expect(new Set(after)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => 1000 + i)));
    expect(after.length - 50).toBeLessThanOrEqual(bridged);
    expect(providerErrors.length).toBeGreaterThan(0);
    // Still one subscription: recovery never leaks one.
    expect(provider.subscriberCount()).toBe(1);

    for (const c of [client, subscriber, publisher]) c.destroy();
    pool.destroy();
    auth.dispose();
    provider.dispose();
  });

  it('brings every cluster node connection back too', async () => {
    azure = await startAzure(6, { cluster: true });
    const provider = clientCredentials(azure, {
      tokenManagerConfig: { expirationRefreshRatio: 0.7, lowerRefreshBoundMs: 0, refreshJitterMs: 0 },
    });
    const auth = createRedisAuth(provider);
    const refreshAt = firstRefreshAtMs(provider);
    const cluster = auth.bind(
      createCluster({ rootNodes: [...azure.rootNodes], defaults: { credentialsProvider: auth } }),
    );
    cluster.on('error', () => {});
    onCleanup(() => provider.dispose());
    onCleanup(() => auth.dispose());
    onCleanup(() => cluster.isOpen && cluster.destroy());
    await cluster.connect();
    const keys = Array.from({ length: 12 }, (_, i) => `key:${i}`);
    let sent = 0;
    let failedAfterHealthy = 0;
    let healthyAtMs = Number.POSITIVE_INFINITY;
    let running = true;
    const loop = (async () => {
      while (running) {
        const sentAtMs = Date.now();
        try {
          await Promise.all(keys.map((k) => cluster.set(k, String(sent))));
        } catch {
          if (sentAtMs >= healthyAtMs) failedAfterHealthy++;
          await sleep(20);
        }
        sent++;
        await sleep(10);
      }
    })();
    await sleep(Math.max(0, (await refreshAt) - Date.now() - 100));
    const down = outage(azure, '503');
    await sleep(4000);
    healthyAtMs = down.end();
    expect(azure.gateway.stats().evicted).toBeGreaterThan(0);
    await waitFor(
      () => auth.connections().every((c) => !c.isOpen || c.state === 'ready'),
      'nodes ready',
      15_000,
    );
    await sleep(3000);
    running = false;
    await loop;
    for (const k of keys) expect(await cluster.get(k)).not.toBeNull();
    expect(failedAfterHealthy).toBe(0);
    cluster.destroy();
    auth.dispose();
    provider.dispose();
  });
});

describe('self-healing › a permanent error (wrong client secret)', () => {
  let azure: LocalAzureRedis;
  beforeAll(async () => {
    azure = await startAzure(60);
  });
  afterEach(runCleanups);
  afterAll(async () => {
    await azure.stop();
  });

  it('reports it, typed, everywhere, and backs off however often node-redis reconnects (no request storm)', async () => {
    const provider = clientCredentials(azure, { clientSecret: 'not-the-secret' });
    const auth = createRedisAuth(provider);
    const providerErrors: RedisAuthEvents['providerError'][] = [];
    const reportedToProvider: Error[] = [];
    const clientErrors: Error[] = [];
    auth.events.on('providerError', (e) => providerErrors.push(e));
    provider.events.on('reAuthenticationFailed', (e) => reportedToProvider.push(e.error));
    let reconnects = 0;
    const client = auth.bind(createClient({ url: azure.redisUrl }));
    onCleanup(() => provider.dispose());
    onCleanup(() => auth.dispose());
    onCleanup(() => client.isOpen && client.destroy());
    client.on('error', (e) => clientErrors.push(e));
    client.on('reconnecting', () => reconnects++);
    const startMs = Date.now();
    const connecting = client.connect();
    connecting.catch(() => {});
    await sleep(15_500);
    const requests = tokenRequests(azure, startMs);
    console.info(`wrong secret: ${requests} token requests and ${reconnects} reconnects in 15.5 s`);
    // Requests at 0, 1, 3, 7, 15 s (recovery: 1 s doubling) — not one per reconnect.
    expect(requests).toBeLessThanOrEqual(5);
    expect(reconnects).toBeGreaterThan(requests);
    const first = providerErrors[0]?.error;
    expect(first).toBeInstanceOf(CredentialsProviderError);
    expect(first).toMatchObject({ code: 'CREDENTIALS_PROVIDER_FAILED', isRetryable: false });
    expect(clientErrors.some((e) => (e as { code?: string }).code === 'CREDENTIALS_PROVIDER_FAILED')).toBe(
      true,
    );
    expect(reportedToProvider.length).toBeGreaterThan(0);
    expect(client.isReady).toBe(false);
    client.destroy();
    auth.dispose();
    provider.dispose();
  });

  it("lets connect() fail fast with the README's reconnectStrategy", async () => {
    const provider = clientCredentials(azure, { clientSecret: 'not-the-secret' });
    const auth = createRedisAuth(provider);
    const startMs = Date.now();
    const client = auth.bind(
      createClient({
        url: azure.redisUrl,
        socket: {
          // Give up on errors that retrying cannot fix; keep node-redis' backoff otherwise.
          reconnectStrategy: (retries, cause) =>
            CredentialsProviderError.isInstance(cause) && !cause.isRetryable
              ? cause
              : Math.min(2 ** retries * 50, 2000),
        },
      }),
    );
    client.on('error', () => {});
    // node-redis rejects with its ReconnectStrategyError; ours is its originalError.
    const error = (await client.connect().catch((e: unknown) => e)) as { originalError?: unknown };
    expect(error.originalError).toMatchObject({ code: 'CREDENTIALS_PROVIDER_FAILED', isRetryable: false });
    expect(Date.now() - startMs).toBeLessThan(5000);
    expect(tokenRequests(azure, startMs)).toBe(1);
    await waitFor(() => !auth.isSubscribed, 'binding idle after the client gave up');
    auth.dispose();
    provider.dispose();
  });
});

export type { RedisAuth };
