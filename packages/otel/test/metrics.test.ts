import { type LocalAzureRedis, startEmulator } from '@authx/emulator';
import { ENTRAID_DIAGNOSTICS_CHANNELS, EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { createRedisAuth, REDIS_AUTH_DIAGNOSTICS_CHANNELS, type RedisAuthEvents } from '@authx/redis-auth';
import { DIAGNOSTICS_CHANNELS } from '@authx/token-core';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { createClient } from 'redis';
import { AUTHX_DIAGNOSTICS_CHANNELS, AUTHX_METRICS, registerAuthxMetrics } from '../src';

/** The SDK with an in-memory exporter; `collect()` returns the data points of each metric by name. */
function sdk() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    meterProvider,
    async collect(): Promise<Map<string, DataPoint<number | Histogram>[]>> {
      await reader.forceFlush();
      const byName = new Map<string, DataPoint<number | Histogram>[]>();
      for (const scope of exporter.getMetrics().at(-1)?.scopeMetrics ?? []) {
        for (const metric of scope.metrics) {
          byName.set(metric.descriptor.name, metric.dataPoints as DataPoint<number | Histogram>[]);
        }
      }
      exporter.reset();
      return byName;
    },
    shutdown: () => meterProvider.shutdown(),
  };
}

function sum(
  points: DataPoint<number | Histogram>[] | undefined,
  attributes: Record<string, string> = {},
): number {
  return (points ?? [])
    .filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
    .reduce((total, p) => total + (typeof p.value === 'number' ? p.value : p.value.count), 0);
}

function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (predicate()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('registerAuthxMetrics', () => {
  it('reads the channels the packages publish', () => {
    expect(AUTHX_DIAGNOSTICS_CHANNELS).toMatchObject({
      tokenAcquired: DIAGNOSTICS_CHANNELS.tokenAcquired,
      refreshFailed: DIAGNOSTICS_CHANNELS.refreshFailed,
      retryScheduled: DIAGNOSTICS_CHANNELS.retryScheduled,
      recoveryScheduled: DIAGNOSTICS_CHANNELS.recoveryScheduled,
      entraTokenRequest: ENTRAID_DIAGNOSTICS_CHANNELS.tokenRequest,
      credentialsUpdated: REDIS_AUTH_DIAGNOSTICS_CHANNELS.credentialsUpdated,
      reauthenticated: REDIS_AUTH_DIAGNOSTICS_CHANNELS.reauthenticated,
      reauthFailed: REDIS_AUTH_DIAGNOSTICS_CHANNELS.reauthFailed,
      reauthDeferred: REDIS_AUTH_DIAGNOSTICS_CHANNELS.reauthDeferred,
      pubsubRotated: REDIS_AUTH_DIAGNOSTICS_CHANNELS.pubsubRotated,
    });
  });

  describe('during real rotations (emulator, MSAL, node-redis, the OpenTelemetry SDK)', () => {
    let azure: LocalAzureRedis;
    const cleanups: (() => unknown)[] = [];

    beforeAll(async () => {
      azure = await startEmulator({ tokenLifetimeSec: 2 });
    });

    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await azure?.stop();
    });

    it('counts requests, retries, re-authentications, rotations, deferrals and evictions avoided as the events say', async () => {
      const otel = sdk();
      cleanups.push(() => otel.shutdown());
      const instrumentation = registerAuthxMetrics({ meterProvider: otel.meterProvider });
      cleanups.push(() => instrumentation.dispose());

      const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
        clientId: azure.clientId,
        clientSecret: azure.clientSecret,
        authorityConfig: { type: 'custom', authorityUrl: azure.authority },
        msalConfig: { system: azure.msalConfig().system },
        tokenManagerConfig: {
          expirationRefreshRatio: 0.5,
          lowerRefreshBoundMs: 0,
          refreshJitterMs: 0,
          retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 200, jitterPercentage: 0 },
        },
      });
      const auth = createRedisAuth(provider);
      const client = auth.bind(createClient({ url: azure.redisUrl }), { label: 'client' });
      const subscriber = auth.bind(createClient({ url: azure.redisUrl, RESP: 2 }), { label: 'subscriber' });
      const publisher = auth.bind(createClient({ url: azure.redisUrl }), { label: 'publisher' });
      for (const c of [client, subscriber, publisher]) c.on('error', () => {});
      cleanups.push(
        () => provider.dispose(),
        () => auth.dispose(),
        ...[client, subscriber, publisher].map((c) => () => c.isOpen && c.destroy()),
      );

      const events = {
        updates: [] as RedisAuthEvents['credentialsUpdated'][],
        reauths: [] as RedisAuthEvents['reauthenticated'][],
        rotations: [] as RedisAuthEvents['pubsubRotated'][],
        deferred: [] as RedisAuthEvents['reauthDeferred'][],
      };
      auth.events.on('credentialsUpdated', (e) => events.updates.push(e));
      auth.events.on('reauthenticated', (e) => events.reauths.push(e));
      auth.events.on('pubsubRotated', (e) => events.rotations.push(e));
      auth.events.on('reauthDeferred', (e) => events.deferred.push(e));
      let acquired = 0;
      provider.events.on('tokenAcquired', () => acquired++);

      await Promise.all([client.connect(), subscriber.connect(), publisher.connect()]);
      await subscriber.subscribe('news', () => {});
      let publishing = true;
      const publishes = (async () => {
        for (let n = 0; publishing; n++) {
          await publisher.publish('news', String(n)).catch(() => {});
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      cleanups.push(async () => {
        publishing = false;
        await publishes;
      });

      // The next refresh fails once (503) and is retried.
      azure.entra.faults.inject({ endpoint: 'token', status: 503, times: 1 });
      await waitFor(() => events.updates.length >= 2, 'the retried refresh');
      // A hand-written MULTI is open when the next credentials come: that re-authentication waits for EXEC.
      await client.sendCommand(['MULTI']);
      await waitFor(() => events.deferred.length >= 1, 'a deferred re-authentication');
      await client.sendCommand(['EXEC']);
      await waitFor(
        () => events.updates.length >= 4 && events.rotations.length >= 2,
        'more rotations',
        15_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));

      const m = await otel.collect();
      expect(sum(m.get(AUTHX_METRICS.tokenRequests), { 'authx.token.outcome': 'success' })).toBe(acquired);
      expect(
        m.get(AUTHX_METRICS.tokenRequests)?.find((p) => p.attributes['authx.token.outcome'] === 'failure'),
      ).toMatchObject({
        attributes: { 'error.type': 'ENTRA_SERVER_UNAVAILABLE' },
        value: 1,
      });
      const durations = m.get(AUTHX_METRICS.tokenRequestDuration) ?? [];
      expect(sum(durations)).toBe(acquired + 1);
      expect(durations.find((p) => p.attributes['authx.token.outcome'] === 'success')?.attributes).toEqual({
        'authx.token.outcome': 'success',
        'authx.entraid.flow': 'client credentials',
      });
      expect((durations[0].value as Histogram).sum).toBeGreaterThan(0);
      expect(sum(m.get(AUTHX_METRICS.tokenRetries), { 'authx.token.retry.kind': 'retry' })).toBe(1);
      const [expiry] = m.get(AUTHX_METRICS.tokenTimeToExpiry) ?? [];
      expect(expiry.value).toBeGreaterThan(0);
      expect(expiry.value).toBeLessThanOrEqual(2);

      const via = (kind: string) => events.reauths.filter((e) => e.via === kind).length;
      expect(
        sum(m.get(AUTHX_METRICS.reauthentications), { 'authx.redis.reauthentication.via': 'auth' }),
      ).toBe(via('auth'));
      expect(
        sum(m.get(AUTHX_METRICS.reauthentications), {
          'authx.redis.reauthentication.via': 'pubsub-rotation',
        }),
      ).toBe(via('pubsub-rotation'));
      expect(via('auth')).toBeGreaterThanOrEqual(4);
      expect(sum(m.get(AUTHX_METRICS.reauthenticationDuration))).toBe(via('auth') + via('pubsub-rotation'));
      expect(sum(m.get(AUTHX_METRICS.pubsubRotations))).toBe(events.rotations.length);
      expect(sum(m.get(AUTHX_METRICS.pubsubMessagesBridged))).toBe(
        events.rotations.reduce((n, e) => n + e.bridged, 0),
      );
      expect(
        sum(m.get(AUTHX_METRICS.reauthenticationsDeferred), {
          'authx.redis.reauthentication.deferral_reason': 'transaction',
        }),
      ).toBe(events.deferred.filter((e) => e.reason === 'transaction').length);
      // Refreshed at half the lifetime: every connection got its new credentials before the old ones expired.
      expect(sum(m.get(AUTHX_METRICS.evictionsAvoided))).toBe(
        via('auth') + via('pubsub-rotation') - countFirst(events),
      );
      expect(azure.gateway.stats().evicted ?? 0).toBe(0);

      // After dispose() nothing more is counted.
      instrumentation.dispose();
      const before = events.updates.length;
      await waitFor(() => events.updates.length > before, 'one more rotation');
      const after = await otel.collect();
      expect(sum(after.get(AUTHX_METRICS.tokenRequests), { 'authx.token.outcome': 'success' })).toBe(
        sum(m.get(AUTHX_METRICS.tokenRequests), { 'authx.token.outcome': 'success' }),
      );
    });
  });
});

/** Re-authentications onto the first generation have no previous credentials to be evicted with. */
function countFirst(events: { reauths: RedisAuthEvents['reauthenticated'][] }): number {
  return events.reauths.filter((e) => e.generation === 1 && e.via !== 'handshake').length;
}
