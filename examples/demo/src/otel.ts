import { registerAuthxMetrics } from '@authx/otel';
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';

/**
 * `--otel`: the authx OpenTelemetry metrics on an SDK meter provider. The live view owns the
 * terminal, so the metrics are printed once, compactly, at the end (a real service would export
 * them with OTLP every few seconds instead).
 */
export function startOtel(): { report(): Promise<string[]>; stop(): Promise<void> } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const meterProvider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  const instrumentation = registerAuthxMetrics({ meterProvider });
  return {
    async report() {
      await meterProvider.forceFlush();
      const lines: string[] = [];
      for (const scope of exporter.getMetrics().at(-1)?.scopeMetrics ?? []) {
        for (const metric of scope.metrics) {
          for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
            const attributes = Object.entries(point.attributes)
              .map(([key, value]) => `${key}=${String(value)}`)
              .join(',');
            const value =
              typeof point.value === 'number'
                ? Number(point.value.toFixed(3))
                : `count ${point.value.count}, sum ${(point.value.sum ?? 0).toFixed(3)} ${metric.descriptor.unit}`;
            lines.push(`  ${metric.descriptor.name}${attributes ? `{${attributes}}` : ''} ${value}`);
          }
        }
      }
      return lines;
    },
    async stop() {
      instrumentation.dispose();
      await meterProvider.shutdown();
    },
  };
}
