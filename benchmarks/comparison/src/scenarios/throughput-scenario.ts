import { mean, median } from '../analysis/stats';
import { type ContenderId, CONTENDERS, type ThroughputResult } from '../protocol';
import type { RunPlan } from '../run-plan';
import type { WorkerHandle } from '../worker-handle';

export interface ThroughputFigures {
  readonly contender: ContenderId;
  /** Mean over the rounds, commands per second. */
  readonly opsPerSec: number;
  readonly perRoundOpsPerSec: readonly number[];
  /** Median over the rounds of this contender's ops/s divided by the static token's in the same round. */
  readonly ratioVsStatic: number;
  readonly failed: number;
}

/** Order of round `round`: rotated each round so no contender always goes first or last. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

/**
 * One connection per contender, all workers alive at once; each round measures every contender
 * for `throughputRoundMs` of pipelined SET/GET, one after another, in alternating order.
 */
export async function throughputScenario(
  workers: ReadonlyMap<ContenderId, WorkerHandle>,
  plan: RunPlan,
): Promise<ThroughputFigures[]> {
  for (const worker of workers.values()) await worker.request({ type: 'begin' });
  try {
    for (const worker of workers.values())
      await worker.request({ type: 'open', connections: 1, measureHeap: false });
    const measure = (contender: ContenderId, durationMs: number) =>
      workers.get(contender)!.request<ThroughputResult>({
        type: 'throughput',
        durationMs,
        batch: plan.throughputBatch,
      });
    // Warm-up (JIT, connection buffers), not counted.
    for (const contender of CONTENDERS) await measure(contender, 300);
    const rounds = new Map<ContenderId, ThroughputResult[]>(CONTENDERS.map((contender) => [contender, []]));
    for (let round = 0; round < plan.throughputRounds; round++) {
      for (const contender of roundOrder(CONTENDERS, round)) {
        rounds.get(contender)!.push(await measure(contender, plan.throughputRoundMs));
      }
    }
    const opsPerSec = (results: readonly ThroughputResult[]) =>
      results.map((r) => r.ops / (r.durationMs / 1000));
    const staticPerRound = opsPerSec(rounds.get('static')!);
    return CONTENDERS.map((contender) => {
      const perRound = opsPerSec(rounds.get(contender)!);
      return {
        contender,
        opsPerSec: mean(perRound),
        perRoundOpsPerSec: perRound,
        // Paired per round: a shared, busy machine drifts between rounds more than within one.
        ratioVsStatic: median(perRound.map((ops, round) => ops / staticPerRound[round]!)),
        failed: rounds.get(contender)!.reduce((sum, r) => sum + r.failed, 0),
      };
    });
  } finally {
    await Promise.all([...workers.values()].map((worker) => worker.request({ type: 'end' })));
  }
}
