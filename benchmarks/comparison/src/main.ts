// The comparison benchmark: authx vs @redis/entraid vs a static token on the local emulator.
// Usage: pnpm bench [--quick]   (node --expose-gc --import tsx src/main.ts)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTENDER_LABELS } from './protocol';
import { resultsTable } from './report/results-table';
import { timelineSvg } from './report/timeline-svg';
import { type BenchResults, runBenchmark } from './run-benchmark';
import { runPlan } from './run-plan';

const RESULTS_DIR = join(__dirname, '..', 'results');

function chart(results: BenchResults): string {
  const panels = results.rotation
    .filter((r) => r.contender !== 'static')
    .map((r) => ({
      title: CONTENDER_LABELS[r.contender],
      summary: `${r.rotations} refreshes · ${r.messagesLost} of ${r.published} messages lost · ${r.subscriberEvictions} subscriber evictions · ${r.otherEvictions} other evictions · ${r.loadCommandsFailed} failed commands`,
      timeline: r.timeline,
    }));
  const { plan } = results;
  return timelineSvg(
    `RESP2 pub/sub through token rotation: authx vs @redis/entraid`,
    `${plan.tokenLifetimeSec} s tokens refreshed at 70 % · RESP2 subscriber, numbered publisher (1 message / ${plan.publishIntervalMs} ms), ${plan.loadClients} load clients · local Entra emulator and token-checking gateway`,
    panels,
  );
}

async function main(): Promise<void> {
  const plan = runPlan(process.argv.slice(2));
  const t0 = Date.now();
  const results = await runBenchmark(plan, (line) =>
    console.log(`… ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s  ${line}`),
  );
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, 'timeline.svg'), chart(results));
  console.log('');
  console.log(resultsTable(results));
  console.log('');
  const notes = results.rotation.flatMap((r) =>
    r.errorSamples.map((sample) => `  ${CONTENDER_LABELS[r.contender]}: ${sample}`),
  );
  if (notes.length > 0) console.log(`client errors seen in the rotation runs:\n${notes.join('\n')}\n`);
  console.log(
    `${plan.quick ? 'quick run' : 'run'} took ${results.durationSec.toFixed(0)} s; wrote results/latest.json and results/timeline.svg`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
