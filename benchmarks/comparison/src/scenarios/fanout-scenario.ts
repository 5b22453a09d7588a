import { IDENTITIES } from '../bench-env';
import type { GatewayRecorder } from '../gateway-recorder';
import { median } from '../analysis/stats';
import type { ContenderId, OpenResult, PingFloorResult } from '../protocol';
import type { AuthTrace } from '../worker/auth-trace';
import { until } from '../wait';
import type { WorkerHandle } from '../worker-handle';

/** Give up waiting for the last re-authentication after this long (the figure is then a lower bound). */
const REAUTH_TIMEOUT_MS = 10_000;
/** PING floor passes per scenario (the median is kept). */
const PING_FLOOR_PASSES = 3;

export interface FanoutFigures {
  readonly contender: ContenderId;
  readonly connections: number;
  readonly connectMs: number;
  readonly heapPerConnectionBytes: number;
  /** From the refresh's IdP request to the last connection's AUTH ok; undefined for the static token. */
  readonly reauthAllMs: number | undefined;
  /** From the refresh's IdP request to the first AUTH ok. */
  readonly reauthFirstMs: number | undefined;
  /** Connections re-authenticated with the new token (should equal `connections`). */
  readonly reauthenticated: number | undefined;
  readonly evictions: number;
  /** PINGs that failed on the N connections after the refresh. */
  readonly pingsFailed: number;
  /**
   * The floor: one PING on each of the N connections, all sent at once, to the last reply
   * (worker clock; median of 3 passes, after the re-authentication).
   */
  readonly pingFloorMs: number;
  /** With `traceAuth`: the worker's own AUTH send / reply times, and the refresh's IdP request. */
  readonly trace?: AuthTrace & { readonly refreshAtMs: number };
}

export interface FanoutOptions {
  /** Record the worker's AUTH sends and replies (node-redis tracing channel; the fan-out probe only). */
  readonly traceAuth?: boolean;
}

/**
 * N connections through one provider, in a fresh worker: heap per connection (after gc, N vs 0),
 * then, for token contenders, the time from the next refresh to the last connection's AUTH ok.
 */
export async function fanoutScenario(
  recorder: GatewayRecorder,
  worker: WorkerHandle,
  connections: number,
  options: FanoutOptions = {},
): Promise<FanoutFigures> {
  const contender = worker.contender;
  const identity = IDENTITIES[contender];
  const { value } = await worker.scenario(async () => {
    const startedAtMs = Date.now();
    const opened = await worker.request<OpenResult>({ type: 'open', connections, measureHeap: true });
    const heapPerConnectionBytes = (opened.heapAfterBytes - opened.heapBeforeBytes) / connections;
    let reauth: { all: number; first: number; count: number } | undefined;
    let trace: FanoutFigures['trace'];
    if (options.traceAuth) await worker.request({ type: 'trace-auth', on: true });
    if (contender !== 'static') {
      const openedAtMs = Date.now();
      const refreshAtMs = await until(
        'a token refresh',
        () => recorder.idpRequestTimes(identity.clientId, openedAtMs, Number.POSITIVE_INFINITY)[0],
        15_000,
      );
      const reauthTimes = () => {
        // First AUTH ok of each connection after the refresh.
        const first = new Map<number, number>();
        const window = { identity: identity.objectId, fromMs: refreshAtMs, toMs: Number.POSITIVE_INFINITY };
        for (const event of recorder.events('authOk', window)) {
          if (!first.has(event.connectionId)) first.set(event.connectionId, event.atMs);
        }
        return [...first.values()];
      };
      const times = await until(
        `${connections} re-authentications`,
        () => (reauthTimes().length >= connections ? reauthTimes() : undefined),
        REAUTH_TIMEOUT_MS,
      ).catch(() => reauthTimes());
      reauth = {
        all: Math.max(...times) - refreshAtMs,
        first: Math.min(...times) - refreshAtMs,
        count: times.length,
      };
      if (options.traceAuth) {
        trace = { ...(await worker.request<AuthTrace>({ type: 'trace-auth', on: false })), refreshAtMs };
      }
    }
    const pingsFailed = await worker.request<number>({ type: 'ping-all' });
    const floors: number[] = [];
    for (let pass = 0; pass < PING_FLOOR_PASSES; pass++) {
      const floor = await worker.request<PingFloorResult>({ type: 'ping-floor' });
      floors.push(floor.lastReplyMs);
    }
    const evictions = recorder
      .events('evicted', { identity: identity.objectId, fromMs: startedAtMs, toMs: Date.now() })
      .filter((event) => event.reason === 'token-expired').length;
    return {
      contender,
      connections,
      connectMs: opened.connectMs,
      heapPerConnectionBytes,
      reauthAllMs: reauth?.all,
      reauthFirstMs: reauth?.first,
      reauthenticated: reauth?.count,
      evictions,
      pingsFailed,
      pingFloorMs: median(floors),
      ...(trace ? { trace } : {}),
    };
  });
  return value;
}
