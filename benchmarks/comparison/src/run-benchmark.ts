import { type BenchEnv, startBenchEnv } from './bench-env';
import { GatewayRecorder } from './gateway-recorder';
import { CONTENDERS, type ContenderId } from './protocol';
import type { RunPlan } from './run-plan';
import { type FanoutFigures, fanoutScenario } from './scenarios/fanout-scenario';
import { type ReconnectFigures, reconnectScenario } from './scenarios/reconnect-scenario';
import { type RotationFigures, rotationScenario } from './scenarios/rotation-scenario';
import { type ThroughputFigures, throughputScenario } from './scenarios/throughput-scenario';

/** Everything one run measured; written to results/latest.json. */
export interface BenchResults {
  readonly startedAt: string;
  readonly durationSec: number;
  readonly plan: RunPlan;
  readonly environment: { readonly node: string; readonly platform: string; readonly cpus: number };
  readonly rotation: readonly RotationFigures[];
  readonly reconnect: readonly ReconnectFigures[];
  readonly fanout: readonly FanoutFigures[];
  readonly throughput: readonly ThroughputFigures[];
}

const TOKEN_CONTENDERS: readonly ContenderId[] = ['authx', 'redis-entraid'];

/** Runs every scenario, one contender at a time, against one emulator; stops everything it started. */
export async function runBenchmark(plan: RunPlan, log: (line: string) => void): Promise<BenchResults> {
  const started = Date.now();
  const env: BenchEnv = await startBenchEnv(plan.tokenLifetimeSec);
  const recorder = new GatewayRecorder(env.local);
  try {
    const rotation: RotationFigures[] = [];
    for (const contender of CONTENDERS) {
      log(`rotation run (RESP2 pub/sub + steady load, ${plan.rotationRunMs / 1000} s): ${contender}`);
      rotation.push(await rotationScenario(env, recorder, plan, contender));
    }
    const reconnect: ReconnectFigures[] = [];
    for (const contender of TOKEN_CONTENDERS) {
      log(`AUTHs per refresh after ${plan.reconnectKills} reconnects: ${contender}`);
      reconnect.push(await reconnectScenario(env, recorder, plan, contender));
    }
    const fanout: FanoutFigures[] = [];
    for (const connections of plan.fanoutSizes) {
      for (const contender of CONTENDERS) {
        log(`fan-out, ${connections} connections: ${contender}`);
        fanout.push(await fanoutScenario(env, recorder, contender, connections));
      }
    }
    log(`throughput, ${plan.throughputRounds} rounds × ${plan.throughputRoundMs} ms per contender`);
    const throughput = await throughputScenario(env, plan);
    return {
      startedAt: new Date(started).toISOString(),
      durationSec: (Date.now() - started) / 1000,
      plan,
      environment: {
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: (await import('node:os')).availableParallelism(),
      },
      rotation,
      reconnect,
      fanout,
      throughput,
    };
  } finally {
    recorder.stop();
    await env.stop();
  }
}
