import { median } from '../analysis/stats';
import { IDENTITIES } from '../bench-env';
import type { GatewayRecorder } from '../gateway-recorder';
import { type ColdStartResult, type ContenderId, CONTENDERS } from '../protocol';
import type { WorkerHandle } from '../worker-handle';
import { roundOrder } from './throughput-scenario';

/**
 * `cold`: the provider is created with the clients and fetches its first token when they connect
 * (the IdP round trip is inside the timing); `warm`: it obtained its first token before. The
 * static token has no provider: one measurement per round serves both.
 */
export type ColdStartMode = 'cold' | 'warm';

export interface ColdStartFigures {
  readonly contender: ContenderId;
  readonly mode: ColdStartMode;
  readonly connections: number;
  /** From the first connect() call to the last ready, per round (worker clock). */
  readonly connectAllMs: readonly number[];
  readonly medianMs: number;
  /** Median over rounds of connectAllMs ÷ the static token's in the same round, and its spread. */
  readonly ratioVsStatic: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  /** IdP requests of this contender's identity from the provider's creation to the last ready, per round. */
  readonly idpRequests: readonly number[];
  /** Of those, requests before the first connect() call (should be 0 for cold: lazy providers). */
  readonly idpRequestsBeforeConnect: readonly number[];
  /** Connections with exactly one AUTH ok at the gateway during the connects, per round. */
  readonly authenticatedOnce: readonly number[];
  /** Accepted AUTHs at the gateway during the connects, per round (= connections when each authenticated once). */
  readonly authOk: readonly number[];
  /** Clients not ready, failed connect() calls and client errors, summed over rounds. */
  readonly notReady: number;
  readonly failed: number;
}

interface Sample extends ColdStartResult {
  readonly idpRequests: number;
  readonly idpRequestsBeforeConnect: number;
  readonly authenticatedOnce: number;
  readonly authOk: number;
}

type Measurement = { readonly contender: ContenderId; readonly mode: ColdStartMode };

const MEASUREMENTS: readonly Measurement[] = CONTENDERS.flatMap((contender): Measurement[] =>
  contender === 'static'
    ? [{ contender, mode: 'cold' }]
    : [
        { contender, mode: 'cold' },
        { contender, mode: 'warm' },
      ],
);

async function measure(
  recorder: GatewayRecorder,
  worker: WorkerHandle,
  connections: number,
  mode: ColdStartMode,
): Promise<Sample> {
  const identity = IDENTITIES[worker.contender];
  const requestedAtMs = Date.now();
  const result = await worker.request<ColdStartResult>({
    type: 'cold-start',
    connections,
    warm: mode === 'warm',
  });
  const during = { identity: identity.objectId, fromMs: result.startedAtMs, toMs: result.endedAtMs };
  const perConnection = new Map<number, number>();
  for (const event of recorder.events('authOk', during)) {
    perConnection.set(event.connectionId, (perConnection.get(event.connectionId) ?? 0) + 1);
  }
  return {
    ...result,
    idpRequests: recorder.idpRequestTimes(identity.clientId, requestedAtMs, result.endedAtMs).length,
    idpRequestsBeforeConnect: recorder.idpRequestTimes(
      identity.clientId,
      requestedAtMs,
      result.startedAtMs - 1,
    ).length,
    authenticatedOnce: [...perConnection.values()].filter((count) => count === 1).length,
    authOk: [...perConnection.values()].reduce((sum, count) => sum + count, 0),
  };
}

/**
 * Each contender in turn: a fresh provider (and binding) and `connections` clients calling
 * connect() at the same moment, cold and warm; `rounds` rounds in an order that rotates and
 * reverses every round, after one discarded round (code loading, JIT, the gateway's first keys).
 */
export async function coldStartScenario(
  recorder: GatewayRecorder,
  workers: ReadonlyMap<ContenderId, WorkerHandle>,
  connections: number,
  rounds: number,
): Promise<ColdStartFigures[]> {
  const samples = new Map<string, Sample[]>(MEASUREMENTS.map((m) => [`${m.contender}/${m.mode}`, []]));
  for (let round = -1; round < rounds; round++) {
    for (const { contender, mode } of roundOrder(MEASUREMENTS, Math.max(round, 0))) {
      const sample = await measure(recorder, workers.get(contender)!, connections, mode);
      if (round >= 0) samples.get(`${contender}/${mode}`)!.push(sample);
    }
  }
  const staticMs = samples.get('static/cold')!.map((s) => s.connectAllMs);
  const figures: ColdStartFigures[] = [];
  for (const { contender, mode } of MEASUREMENTS) {
    const own = samples.get(`${contender}/${mode}`)!;
    const connectAllMs = own.map((s) => s.connectAllMs);
    // Paired per round: a shared machine drifts between rounds more than within one.
    const ratios = connectAllMs.map((value, round) => value / staticMs[round]!);
    const figure: ColdStartFigures = {
      contender,
      mode,
      connections,
      connectAllMs,
      medianMs: median(connectAllMs),
      ratioVsStatic: median(ratios),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      idpRequests: own.map((s) => s.idpRequests),
      idpRequestsBeforeConnect: own.map((s) => s.idpRequestsBeforeConnect),
      authenticatedOnce: own.map((s) => s.authenticatedOnce),
      authOk: own.map((s) => s.authOk),
      notReady: own.reduce((sum, s) => sum + connections - s.ready, 0),
      failed: own.reduce((sum, s) => sum + s.failed + s.clientErrors, 0),
    };
    figures.push(figure);
    // The static token is measured once per round; its "warm" row is the same measurement.
    if (contender === 'static') figures.push({ ...figure, mode: 'warm' });
  }
  return figures;
}
