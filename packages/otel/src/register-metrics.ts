import diagnosticsChannel from 'node:diagnostics_channel';
import { type Attributes, type Meter, type MeterProvider, metrics } from '@opentelemetry/api';
import { CHANNELS, sourceOf } from './channels';
import { AUTHX_METRICS } from './metric-names';

/** Options of {@link registerAuthxMetrics}. */
export interface AuthxMetricsOptions {
  /** Meter to create the instruments on. Default: `meterProvider.getMeter('@authx/otel')`. */
  meter?: Meter;
  /** Meter provider. Default: the global one (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
  /** Reads the clock, epoch ms (tests). Default `Date.now`. */
  now?: () => number;
}

/** Stops the instrumentation: `dispose()` / `[Symbol.dispose]()` unsubscribe from every channel. */
export interface AuthxMetrics {
  dispose(): void;
  [Symbol.dispose](): void;
}

const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Generations remembered per binding for the re-authentication latency: enough for overlapping rotations. */
const GENERATIONS_KEPT = 8;

interface TokenAcquired {
  expiresAtMs: number;
}
interface RefreshFailed {
  error: unknown;
  isRetryable: boolean;
}
interface EntraTokenRequest {
  flow: string;
  durationMs: number;
  outcome: 'success' | 'failure';
  errorCode?: string;
}
interface CredentialsUpdated {
  generation: number;
  expiresAtMs: number | undefined;
}
interface Reauthenticated {
  generation: number;
  via: string;
}

/**
 * Turns the authx diagnostics channels into OpenTelemetry metrics (see {@link AUTHX_METRICS}). Only
 * reads events: nothing changes in the providers or bindings, and without a registered meter
 * provider the instruments are OpenTelemetry's no-ops.
 */
export function registerAuthxMetrics(options: AuthxMetricsOptions = {}): AuthxMetrics {
  const meter =
    options.meter ?? (options.meterProvider ?? metrics.getMeterProvider()).getMeter('@authx/otel');
  const now = options.now ?? Date.now;

  const tokenRequests = meter.createCounter(AUTHX_METRICS.tokenRequests, {
    description: 'Token requests to the identity provider, by outcome',
    unit: '{request}',
  });
  const tokenRequestDuration = meter.createHistogram(AUTHX_METRICS.tokenRequestDuration, {
    description: 'Duration of token requests to Microsoft Entra ID / a managed identity endpoint',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  });
  const timeToExpiry = meter.createObservableGauge(AUTHX_METRICS.tokenTimeToExpiry, {
    description: 'Seconds until the current token expires (the soonest across providers)',
    unit: 's',
  });
  const tokenRetries = meter.createCounter(AUTHX_METRICS.tokenRetries, {
    description: 'Token requests scheduled again after a failure',
    unit: '{retry}',
  });
  const reauthentications = meter.createCounter(AUTHX_METRICS.reauthentications, {
    description: 'Redis connections moved onto new credentials',
    unit: '{reauthentication}',
  });
  const reauthenticationFailures = meter.createCounter(AUTHX_METRICS.reauthenticationFailures, {
    description: 'Failed re-authentications of Redis connections',
    unit: '{failure}',
  });
  const reauthenticationDuration = meter.createHistogram(AUTHX_METRICS.reauthenticationDuration, {
    description: 'From new credentials to the connection using them (AUTH reply or completed rotation)',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
  });
  const reauthenticationsDeferred = meter.createCounter(AUTHX_METRICS.reauthenticationsDeferred, {
    description: 'Re-authentications that had to wait (transaction, blocking command, reconnect)',
    unit: '{reauthentication}',
  });
  const pubsubRotations = meter.createCounter(AUTHX_METRICS.pubsubRotations, {
    description: 'RESP2 subscribers moved onto new credentials',
    unit: '{rotation}',
  });
  const pubsubMessagesBridged = meter.createCounter(AUTHX_METRICS.pubsubMessagesBridged, {
    description: 'Pub/sub messages delivered through the rotation bridge',
    unit: '{message}',
  });
  const evictionsAvoided = meter.createCounter(AUTHX_METRICS.evictionsAvoided, {
    description: 'Connections re-authenticated before their previous credentials expired',
    unit: '{connection}',
  });

  // Per provider / binding, held weakly: providers that are dropped are forgotten.
  const expiries = new Map<WeakRef<object>, number>();
  const expiryRefs = new WeakMap<object, WeakRef<object>>();
  const generations = new WeakMap<object, Map<number, { atMs: number; expiresAtMs: number | undefined }>>();

  const observeExpiry = (result: { observe(value: number, attributes?: Attributes): void }) => {
    let soonestMs: number | undefined;
    for (const [ref, expiresAtMs] of expiries) {
      if (ref.deref() === undefined) {
        expiries.delete(ref);
        continue;
      }
      soonestMs = soonestMs === undefined ? expiresAtMs : Math.min(soonestMs, expiresAtMs);
    }
    if (soonestMs !== undefined) result.observe((soonestMs - now()) / 1000);
  };
  timeToExpiry.addCallback(observeExpiry);

  const handlers: Record<string, (message: unknown) => void> = {
    [CHANNELS.tokenAcquired]: (message) => {
      tokenRequests.add(1, { 'authx.token.outcome': 'success' });
      const source = sourceOf(message);
      let ref = expiryRefs.get(source);
      if (!ref) {
        ref = new WeakRef(source);
        expiryRefs.set(source, ref);
      }
      expiries.set(ref, (message as TokenAcquired).expiresAtMs);
    },
    [CHANNELS.refreshFailed]: (message) => {
      const { error } = message as RefreshFailed;
      tokenRequests.add(1, { 'authx.token.outcome': 'failure', 'error.type': errorType(error) });
    },
    [CHANNELS.retryScheduled]: () => tokenRetries.add(1, { 'authx.token.retry.kind': 'retry' }),
    [CHANNELS.recoveryScheduled]: () => tokenRetries.add(1, { 'authx.token.retry.kind': 'recovery' }),
    [CHANNELS.entraTokenRequest]: (message) => {
      const m = message as EntraTokenRequest;
      tokenRequestDuration.record(m.durationMs / 1000, {
        'authx.token.outcome': m.outcome,
        'authx.entraid.flow': m.flow,
        ...(m.errorCode ? { 'error.type': m.errorCode } : {}),
      });
    },
    [CHANNELS.credentialsUpdated]: (message) => {
      const m = message as CredentialsUpdated;
      const source = sourceOf(message);
      let seen = generations.get(source);
      if (!seen) generations.set(source, (seen = new Map()));
      seen.set(m.generation, { atMs: now(), expiresAtMs: m.expiresAtMs });
      for (const generation of seen.keys()) {
        if (seen.size <= GENERATIONS_KEPT) break;
        seen.delete(generation);
      }
    },
    [CHANNELS.reauthenticated]: (message) => {
      const m = message as Reauthenticated;
      const via = { 'authx.redis.reauthentication.via': m.via };
      reauthentications.add(1, via);
      // A handshake uses the newest credentials whenever it happens: its delay says nothing about re-authentication.
      if (m.via === 'handshake') return;
      const seen = generations.get(sourceOf(message));
      const update = seen?.get(m.generation);
      const nowMs = now();
      if (update) reauthenticationDuration.record((nowMs - update.atMs) / 1000, via);
      const previous = seen?.get(m.generation - 1);
      if (previous?.expiresAtMs !== undefined && nowMs < previous.expiresAtMs) evictionsAvoided.add(1, via);
    },
    [CHANNELS.reauthFailed]: (message) => {
      reauthenticationFailures.add(1, { 'error.type': errorType((message as { error: unknown }).error) });
    },
    [CHANNELS.reauthDeferred]: (message) => {
      reauthenticationsDeferred.add(1, {
        'authx.redis.reauthentication.deferral_reason': (message as { reason: string }).reason,
      });
    },
    [CHANNELS.pubsubRotated]: (message) => {
      pubsubRotations.add(1);
      const bridged = (message as { bridged: number }).bridged;
      if (bridged > 0) pubsubMessagesBridged.add(bridged);
    },
  };
  for (const [name, handler] of Object.entries(handlers)) diagnosticsChannel.subscribe(name, handler);

  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    for (const [name, handler] of Object.entries(handlers)) diagnosticsChannel.unsubscribe(name, handler);
    timeToExpiry.removeCallback(observeExpiry);
    expiries.clear();
  };
  return { dispose, [Symbol.dispose]: dispose };
}

function errorType(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown } | null;
  if (typeof e?.code === 'string' && e.code !== '') return e.code;
  return typeof e?.name === 'string' ? e.name : '_OTHER';
}
