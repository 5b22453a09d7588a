import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { AUTHX_METRICS, registerAuthxMetrics } from '@authx/otel';
import { bindCredentials } from '@authx/redis-auth';
import {
  type ClientSecretTarget,
  durationSec,
  reconnectStrategy,
  runKeyValueScenario,
  runMain,
  startClientSecretTarget,
  withTarget,
} from '@example/kit';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  ConsoleMetricExporter,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { createClient } from 'redis';

async function runScenario(target: ClientSecretTarget): Promise<boolean> {
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}`);
  // The OpenTelemetry SDK, exporting to the console every few seconds (an OTLP exporter in production).
  const durationMs = durationSec() * 1000;
  const check = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new ConsoleMetricExporter(),
        exportIntervalMillis: Math.max(1000, Math.floor(durationMs / 2)),
      }),
      new PeriodicExportingMetricReader({ exporter: check, exportIntervalMillis: 3_600_000 }),
    ],
  });
  metrics.setGlobalMeterProvider(meterProvider);
  // One call: the authx metrics from the packages' diagnostics channels, on the global meter provider.
  const instrumentation = registerAuthxMetrics();

  const provider = EntraIdCredentialsProviderFactory.createForClientCredentials(target.providerParams);
  const client = createClient({ url: target.redisUrl, socket: { reconnectStrategy } });
  const auth = bindCredentials(client, provider);
  const scenarioOk = await runKeyValueScenario({
    target,
    provider,
    client,
    auth,
    identity: 'the service principal',
    durationMs,
  });

  await meterProvider.forceFlush();
  instrumentation.dispose();
  await meterProvider.shutdown();
  // The example checks itself: the rotations it just made show up in the metrics.
  const names = new Set(
    check
      .getMetrics()
      .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
      .filter((m) => m.dataPoints.length > 0)
      .map((m) => m.descriptor.name),
  );
  const expected = [
    AUTHX_METRICS.tokenRequests,
    AUTHX_METRICS.tokenRequestDuration,
    AUTHX_METRICS.tokenTimeToExpiry,
    AUTHX_METRICS.reauthentications,
    AUTHX_METRICS.reauthenticationDuration,
  ];
  const missing = expected.filter((name) => !names.has(name));
  console.log(
    missing.length === 0
      ? `metrics exported: ${[...names].sort().join(', ')}`
      : `metrics missing: ${missing.join(', ')}`,
  );
  return scenarioOk && missing.length === 0;
}

runMain(() => withTarget(() => startClientSecretTarget(process.env), runScenario));
