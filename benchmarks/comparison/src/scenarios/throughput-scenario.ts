import { type MedianWithCi, median, medianWithCi } from '../analysis/stats';
import { type ContenderId, CONTENDERS, type Pipelining, type ThroughputResult } from '../protocol';
import type { RunPlan } from '../run-plan';
import type { WorkerHandle } from '../worker-handle';

export const PIPELINING_MODES: readonly Pipelining[] = ['pipelined', 'unpipelined'];

export interface ThroughputFigures {
  readonly contender: ContenderId;
  readonly mode: Pipelining;
  /** Commands per second of the median slice. */
  readonly opsPerSec: number;
  /** Per round: the static token's slice time ÷ this contender's (1 for the static token). */
  readonly ratioVsStatic: MedianWithCi;
  /** Per round: this contender's worker CPU time ÷ the static token's for the same work. */
  readonly cpuVsStatic: MedianWithCi;
  readonly rounds: number;
  readonly failed: number;
}

/** Order of round `round`: rotated each round and reversed every other, so no contender always goes first or last. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

/** Per-round ratios of paired slices, and the figures of each contender. */
export function throughputFigures(
  mode: Pipelining,
  slices: ReadonlyMap<ContenderId, readonly ThroughputResult[]>,
): ThroughputFigures[] {
  const staticSlices = slices.get('static') ?? [];
  return CONTENDERS.map((contender) => {
    const own = slices.get(contender) ?? [];
    return {
      contender,
      mode,
      opsPerSec: median(own.map((s) => s.ops / (s.durationMs / 1000))),
      ratioVsStatic: medianWithCi(own.map((s, round) => staticSlices[round]!.durationMs / s.durationMs)),
      cpuVsStatic: medianWithCi(own.map((s, round) => s.cpuMs / staticSlices[round]!.cpuMs)),
      rounds: own.length,
      failed: own.reduce((sum, s) => sum + s.failed, 0),
    };
  });
}

/**
 * Steady-state throughput by paired slices. One connection per contender, all workers alive; a
 * round runs one slice of every contender back to back (a fixed number of SET/GET, 10–40 ms), in
 * rotating order, and its ratio is the static token's slice time ÷ the contender's. Adjacent slices
 * share the machine's state, so the drift that spread 1 s rounds by ±25 % cancels, and the median
 * of hundreds of rounds has a confidence interval narrow enough to tell 0.98 from 1.
 */
export async function throughputScenario(
  workers: ReadonlyMap<ContenderId, WorkerHandle>,
  plan: RunPlan,
): Promise<ThroughputFigures[]> {
  for (const worker of workers.values()) await worker.request({ type: 'begin' });
  try {
    for (const worker of workers.values())
      await worker.request({ type: 'open', connections: 1, measureHeap: false });
    const figures: ThroughputFigures[] = [];
    for (const mode of PIPELINING_MODES) {
      const commands =
        mode === 'pipelined' ? plan.throughputPipelinedCommands : plan.throughputUnpipelinedCommands;
      const slice = (contender: ContenderId) =>
        workers.get(contender)!.request<ThroughputResult>({
          type: 'throughput',
          slice: { mode, commands, batch: plan.throughputBatch },
        });
      // Warm-up (JIT, connection buffers), not counted.
      for (let i = 0; i < 10; i++) for (const contender of CONTENDERS) await slice(contender);
      const slices = new Map<ContenderId, ThroughputResult[]>(CONTENDERS.map((contender) => [contender, []]));
      for (let round = 0; round < plan.throughputRounds; round++) {
        for (const contender of roundOrder(CONTENDERS, round))
          slices.get(contender)!.push(await slice(contender));
      }
      figures.push(...throughputFigures(mode, slices));
    }
    return figures;
  } finally {
    await Promise.all([...workers.values()].map((worker) => worker.request({ type: 'end' })));
  }
}
