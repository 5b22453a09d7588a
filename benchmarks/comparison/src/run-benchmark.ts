import { pinProcesses } from './cpu-placement';
import { type BenchEnv, startBenchEnv } from './bench-env';
import { GatewayRecorder } from './gateway-recorder';
import { CONTENDERS, type ContenderId } from './protocol';
import type { RunPlan } from './run-plan';
import type { WorkerHandle } from './worker-handle';
import { type ColdStartFigures, coldStartScenario } from './scenarios/cold-start-scenario';
import { type FanoutFigures, fanoutScenario } from './scenarios/fanout-scenario';
import { type ReconnectFigures, reconnectScenario } from './scenarios/reconnect-scenario';
import { type RotationFigures, rotationScenario } from './scenarios/rotation-scenario';
import { type ThroughputFigures, throughputScenario } from './scenarios/throughput-scenario';

/** Everything one run measured; written to results/latest.json. */
export interface BenchResults {
  readonly startedAt: string;
  readonly durationSec: number;
  readonly plan: RunPlan;
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    /** How the processes were placed on the CPUs (see cpu-placement.ts). */
    readonly placement?: string;
  };
  readonly rotation: readonly RotationFigures[];
  readonly reconnect: readonly ReconnectFigures[];
  readonly fanout: readonly FanoutFigures[];
  readonly throughput: readonly ThroughputFigures[];
  /** Absent in results written before the scenario existed. */
  readonly coldStart?: readonly ColdStartFigures[];
}

/** Starts one worker per contender, in parallel; if one fails to start, the others are stopped. */
async function startWorkers(env: BenchEnv): Promise<Map<ContenderId, WorkerHandle>> {
  const started = await Promise.allSettled(CONTENDERS.map((contender) => env.startWorker(contender)));
  const workers = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((worker) => worker.stop()));
    throw failed.reason;
  }
  return new Map(workers.map((worker) => [worker.contender, worker]));
}

const TOKEN_CONTENDERS: readonly ContenderId[] = ['authx', 'redis-entraid'];

/** Runs every scenario, one contender at a time, against one emulator; stops everything it started. */
export async function runBenchmark(plan: RunPlan, log: (line: string) => void): Promise<BenchResults> {
  const started = Date.now();
  const env: BenchEnv = await startBenchEnv(plan.tokenLifetimeSec);
  const recorder = new GatewayRecorder(env.local);
  let workers = new Map<ContenderId, WorkerHandle>();
  let placement = 'not pinned';
  try {
    log('starting the emulator and one worker process per contender');
    workers = await startWorkers(env);
    const worker = (contender: ContenderId) => workers.get(contender)!;
    placement = pinProcesses(
      env.local.redisServers.map((server) => server.pid),
      [...workers.values()].map((worker) => worker.pid),
    );
    log(placement);
    // Scenarios run one contender at a time (each with a fresh provider in its worker).
    const rotation: RotationFigures[] = [];
    for (const contender of CONTENDERS) {
      log(`rotation run (RESP2 pub/sub + steady load, ${plan.rotationRunMs / 1000} s): ${contender}`);
      rotation.push(await rotationScenario(recorder, plan, worker(contender)));
    }
    // Counting AUTH commands is not timing-sensitive and the identities differ: both run at once.
    log(
      `AUTHs per refresh before and after ${plan.reconnectKills} reconnects: ${TOKEN_CONTENDERS.join(', ')}`,
    );
    const reconnect: ReconnectFigures[] = await Promise.all(
      TOKEN_CONTENDERS.map((contender) => reconnectScenario(env, recorder, plan, worker(contender))),
    );
    const fanout: FanoutFigures[] = [];
    for (const connections of plan.fanoutSizes) {
      for (const contender of CONTENDERS) {
        log(`fan-out, ${connections} connections: ${contender}`);
        fanout.push(await fanoutScenario(recorder, worker(contender), connections));
      }
    }
    log(`throughput, ${plan.throughputRounds} rounds of paired slices, pipelined and unpipelined`);
    const throughput = await throughputScenario(workers, plan);
    log(
      `cold start, ${plan.coldStartConnections} clients connecting at once, cold and warm: ${plan.coldStartRounds} rounds`,
    );
    const coldStart = await coldStartScenario(
      recorder,
      workers,
      plan.coldStartConnections,
      plan.coldStartRounds,
    );
    return {
      startedAt: new Date(started).toISOString(),
      durationSec: (Date.now() - started) / 1000,
      plan,
      environment: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: (await import('node:os')).availableParallelism(),
        placement,
      },
      rotation,
      reconnect,
      fanout,
      throughput,
      coldStart,
    };
  } finally {
    await Promise.all([...workers.values()].map((worker) => worker.stop()));
    recorder.stop();
    await env.stop();
  }
}
