// Where the fan-out time goes: authx vs @redis/entraid, alternating rounds, with the worker's own
// AUTH timestamps (node-redis tracing channel) next to the gateway's and the IdP request's.
// Usage: pnpm --filter @authx-bench/comparison probe:fanout [--size N] [--rounds R]
import { median } from './analysis/stats';
import { startBenchEnv } from './bench-env';
import { GatewayRecorder } from './gateway-recorder';
import type { ContenderId } from './protocol';
import { type FanoutFigures, fanoutScenario } from './scenarios/fanout-scenario';

const CONTENDERS: readonly ContenderId[] = ['authx', 'redis-entraid'];

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

/** Phases of one fan-out, ms after the refresh's IdP request arrived at the emulator. */
function phases(figures: FanoutFigures): Record<string, number> {
  const trace = figures.trace;
  if (!trace) throw new Error('no trace');
  const after = (times: readonly number[]) => times.filter((t) => t >= trace.refreshAtMs);
  const sent = after(trace.sentMs);
  const replied = after(trace.repliedMs);
  const credentials = after(trace.credentialsMs);
  const at = (t: number | undefined) => (t === undefined ? Number.NaN : t - trace.refreshAtMs);
  return {
    'credentials in worker': at(credentials[0]),
    'first AUTH sent': at(Math.min(...sent)),
    'last AUTH sent': at(Math.max(...sent)),
    'first pass ended': at(after(trace.passEndedMs)[0]),
    'first pass written': at(after(trace.writtenMs)[0]),
    'passes with AUTHs': after(trace.passEndedMs).length,
    'GC ms until written': trace.gc
      .filter(([start]) => start >= trace.refreshAtMs && start <= (after(trace.writtenMs)[0] ?? 0))
      .reduce((sum, [, duration]) => sum + duration, 0),
    'GC ms until last reply': trace.gc
      .filter(([start]) => start >= trace.refreshAtMs && start <= Math.max(...replied))
      .reduce((sum, [, duration]) => sum + duration, 0),
    'first AUTH ok (gateway)': figures.reauthFirstMs ?? Number.NaN,
    'last AUTH ok (gateway)': figures.reauthAllMs ?? Number.NaN,
    'last AUTH reply (worker)': at(Math.max(...replied)),
    'AUTHs sent': sent.length,
    'PING floor': figures.pingFloorMs,
  };
}

async function main(): Promise<void> {
  const size = option('--size', 1000);
  const rounds = option('--rounds', 5);
  const env = await startBenchEnv(3);
  const recorder = new GatewayRecorder(env.local);
  const workers = await Promise.all(CONTENDERS.map((contender) => env.startWorker(contender)));
  const results = new Map<ContenderId, Array<Record<string, number>>>(CONTENDERS.map((c) => [c, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? workers : [...workers].reverse();
      for (const worker of order) {
        const figures = await fanoutScenario(recorder, worker, size, { traceAuth: true });
        const row = phases(figures);
        results.get(worker.contender)?.push(row);
        console.log(
          `round ${round + 1} ${worker.contender}: ${JSON.stringify(row, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`,
        );
      }
    }
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    recorder.stop();
    await env.stop();
  }
  console.log(
    `\nN = ${size}, ${rounds} alternating rounds; ms after the refresh's IdP request: median [min – max]`,
  );
  const names = Object.keys(results.get('authx')?.[0] ?? {});
  for (const name of names) {
    const cells = CONTENDERS.map((contender) => {
      const values = (results.get(contender) ?? []).map((row) => row[name] ?? Number.NaN);
      const fmt = (v: number) => v.toFixed(0);
      return `${contender} ${fmt(median(values))} [${fmt(Math.min(...values))} – ${fmt(Math.max(...values))}]`;
    });
    console.log(`${name.padEnd(26)} ${cells.join('   ')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
