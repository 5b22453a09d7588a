import { bucketCounts, deliveryFigures } from '../analysis/messages';
import { distinctCount } from '../analysis/stats';
import { IDENTITIES } from '../bench-env';
import type { GatewayRecorder } from '../gateway-recorder';
import type { ContenderId, RotationRunResult } from '../protocol';
import type { RunPlan } from '../run-plan';
import type { WorkerHandle } from '../worker-handle';

/** Width of a timeline bucket of delivered messages, in ms. */
export const TIMELINE_BUCKET_MS = 250;

/** Events of one rotation run, in ms since it started: the chart's data. */
export interface Timeline {
  readonly durationMs: number;
  readonly refreshesMs: readonly number[];
  readonly reauthsMs: readonly number[];
  readonly authFailuresMs: readonly number[];
  readonly subscriberEvictionsMs: readonly number[];
  readonly otherEvictionsMs: readonly number[];
  /** When the lost messages were published. */
  readonly lostMs: readonly number[];
  readonly bucketMs: number;
  readonly deliveredPerBucket: readonly number[];
}

export interface RotationFigures {
  readonly contender: ContenderId;
  /** Token refreshes during the run (managed identity requests after the first token). */
  readonly rotations: number;
  readonly published: number;
  readonly delivered: number;
  readonly messagesLost: number;
  readonly duplicates: number;
  readonly publishedToNobody: number;
  readonly publishFailed: number;
  readonly subscriberEvictions: number;
  readonly loadCommandsOk: number;
  readonly loadCommandsFailed: number;
  /** Token-expired evictions of the publisher and load connections. */
  readonly otherEvictions: number;
  readonly reauths: number;
  readonly authFailures: number;
  readonly clientErrors: number;
  readonly errorSamples: readonly string[];
  /** IdP requests divided by the new tokens that reached the gateway. */
  readonly idpRequests: number;
  readonly newTokensSeen: number;
  readonly timeline: Timeline;
}

/**
 * Per contender, in its own worker: a RESP2 subscriber with a numbered publisher, plus steady
 * SET/GET load, across at least 5 token refreshes. Lost messages come from the worker's counts;
 * evictions, re-authentications and refreshes from the gateway and the emulator's request log.
 */
export async function rotationScenario(
  recorder: GatewayRecorder,
  plan: RunPlan,
  worker: WorkerHandle,
): Promise<RotationFigures> {
  const contender = worker.contender;
  const { value: run } = await worker.scenario(() =>
    worker.request<RotationRunResult>({
      type: 'rotation-run',
      options: {
        durationMs: plan.rotationRunMs,
        publishIntervalMs: plan.publishIntervalMs,
        loadClients: plan.loadClients,
        loadIntervalMs: plan.loadIntervalMs,
      },
    }),
  );
  const identity = IDENTITIES[contender];
  // Gateway events until the worker closed its clients (the run drains for a moment after endedAtMs).
  const filter = { identity: identity.objectId, fromMs: run.startedAtMs, toMs: run.endedAtMs };
  const refreshes = recorder.idpRequestTimes(identity.clientId, run.startedAtMs, run.endedAtMs);
  const reauths = recorder.events('authOk', filter);
  const failures = recorder.events('authFailed', filter);
  const evictions = recorder.events('evicted', filter).filter((event) => event.reason === 'token-expired');
  const subscriberEvictions = evictions.filter((event) => event.subscribed);
  const otherEvictions = evictions.filter((event) => !event.subscribed);
  const delivery = deliveryFigures(run.published, run.received);
  // The token the clients connected with (before the run started); later ones are refreshes.
  const handshakes = recorder.events('authOk', { ...filter, fromMs: 0, toMs: run.startedAtMs - 1 });
  const initialExpiry = Math.max(0, ...handshakes.map((event) => event.tokenExpiresAtMs));
  const publishedAt = new Map(run.published.map(([n, atMs]) => [n, atMs]));
  const rel = (atMs: number) => atMs - run.startedAtMs;
  const durationMs = run.endedAtMs - run.startedAtMs;
  return {
    contender,
    rotations: refreshes.length,
    published: delivery.published,
    delivered: delivery.delivered,
    messagesLost: delivery.lost.length,
    duplicates: delivery.duplicates,
    publishedToNobody: delivery.publishedToNobody,
    publishFailed: run.publishFailed,
    subscriberEvictions: subscriberEvictions.length,
    loadCommandsOk: run.loadOk,
    loadCommandsFailed: run.loadFailed,
    otherEvictions: otherEvictions.length,
    reauths: reauths.length,
    authFailures: failures.length,
    clientErrors: run.clientErrors,
    errorSamples: run.errorSamples,
    idpRequests: refreshes.length,
    newTokensSeen: distinctCount(
      reauths
        .filter((event) => event.tokenExpiresAtMs > initialExpiry)
        .map((event) => event.tokenExpiresAtMs),
    ),
    timeline: {
      durationMs,
      refreshesMs: refreshes.map(rel),
      reauthsMs: reauths.map((event) => rel(event.atMs)),
      authFailuresMs: failures.map((event) => rel(event.atMs)),
      subscriberEvictionsMs: subscriberEvictions.map((event) => rel(event.atMs)),
      otherEvictionsMs: otherEvictions.map((event) => rel(event.atMs)),
      lostMs: delivery.lost.map((n) => rel(publishedAt.get(n) ?? run.startedAtMs)),
      bucketMs: TIMELINE_BUCKET_MS,
      // Whole buckets only: a last, partial one would look like a drop in delivery.
      deliveredPerBucket: bucketCounts(
        run.received.map(([, atMs]) => atMs),
        run.startedAtMs,
        run.startedAtMs + Math.floor(durationMs / TIMELINE_BUCKET_MS) * TIMELINE_BUCKET_MS,
        TIMELINE_BUCKET_MS,
      ),
    },
  };
}
