import { mean } from '../analysis/stats';
import { type BenchEnv, IDENTITIES } from '../bench-env';
import type { GatewayRecorder } from '../gateway-recorder';
import type { ContenderId } from '../protocol';
import type { RunPlan } from '../run-plan';
import type { WorkerHandle } from '../worker-handle';
import { sleep, until } from '../wait';

/** AUTH commands are counted this long after a refresh: well under the 2.1 s between refreshes. */
const COUNT_WINDOW_MS = 800;

export interface ReconnectFigures {
  readonly contender: ContenderId;
  /** AUTH commands (accepted or refused) on the connection after one refresh, before any kill. */
  readonly authsPerRefreshBeforeKills: number;
  /** The same, averaged over the refreshes after K server-side kills. */
  readonly authsPerRefreshAfterKills: number;
  readonly kills: number;
  readonly refreshesObserved: number;
}

/**
 * One client on one connection. Count the AUTHs that one refresh causes on it; kill the connection
 * at the gateway K times (node-redis reconnects each time); count again.
 */
export async function reconnectScenario(
  env: BenchEnv,
  recorder: GatewayRecorder,
  plan: RunPlan,
  worker: WorkerHandle,
): Promise<ReconnectFigures> {
  const contender = worker.contender;
  const identity = IDENTITIES[contender];
  const gateway = env.local.gateway;
  const liveConnectionId = () =>
    gateway.connections().find((connection) => connection.identity === identity.objectId)?.id;
  const { value } = await worker.scenario(async () => {
    await worker.request({ type: 'open', connections: 1, measureHeap: false });
    const authsAfterNextRefresh = async (): Promise<number> => {
      const since = Date.now();
      const refreshAtMs = await until(
        'a token refresh',
        () => recorder.idpRequestTimes(identity.clientId, since, Number.POSITIVE_INFINITY)[0],
        15_000,
      );
      await sleep(refreshAtMs + COUNT_WINDOW_MS - Date.now());
      const connectionId = liveConnectionId();
      const window = {
        identity: identity.objectId,
        fromMs: refreshAtMs,
        toMs: refreshAtMs + COUNT_WINDOW_MS,
      };
      const onConnection = (event: { connectionId: number }) => event.connectionId === connectionId;
      return (
        recorder.events('authOk', window).filter(onConnection).length +
        recorder.events('authFailed', window).filter(onConnection).length
      );
    };
    const before = await authsAfterNextRefresh();
    for (let kill = 0; kill < plan.reconnectKills; kill++) {
      const previous = await until('an authenticated connection', liveConnectionId, 10_000);
      gateway.kill({ id: previous });
      await until(
        'the reconnect',
        () => {
          const id = liveConnectionId();
          return id !== undefined && id !== previous ? id : undefined;
        },
        10_000,
      );
      await worker.request({ type: 'ping-all' });
    }
    const after: number[] = [];
    for (let i = 0; i < plan.reconnectRefreshes; i++) after.push(await authsAfterNextRefresh());
    return {
      contender,
      authsPerRefreshBeforeKills: before,
      authsPerRefreshAfterKills: mean(after),
      kills: plan.reconnectKills,
      refreshesObserved: after.length,
    };
  });
  return value;
}
