// Cold start alone: authx vs @redis/entraid vs the static token, N clients connecting at once with
// a fresh provider, cold and warm, alternating rounds (the same scenario as the full bench's).
// Usage: pnpm --filter @authx-bench/comparison probe:cold-start [--size N] [--rounds R]
import { startBenchEnv } from './bench-env';
import { GatewayRecorder } from './gateway-recorder';
import { CONTENDER_LABELS, CONTENDERS } from './protocol';
import { coldStartRows } from './report/cold-start-rows';
import { markdownTable } from './report/markdown-table';
import { coldStartScenario } from './scenarios/cold-start-scenario';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
}

async function main(): Promise<void> {
  const size = option('--size', 1000);
  const rounds = option('--rounds', 5);
  const env = await startBenchEnv(3);
  const recorder = new GatewayRecorder(env.local);
  const workers = await Promise.all(CONTENDERS.map((contender) => env.startWorker(contender)));
  try {
    const figures = await coldStartScenario(
      recorder,
      new Map(workers.map((worker) => [worker.contender, worker])),
      size,
      rounds,
    );
    for (const f of figures) {
      console.log(
        `${f.contender}/${f.mode}: ${f.connectAllMs.map((v) => v.toFixed(0)).join(', ')} ms; IdP ${f.idpRequests.join(',')} (before connect ${f.idpRequestsBeforeConnect.join(',')}); authenticated once ${f.authenticatedOnce.join(',')}; AUTH ok ${f.authOk.join(',')}; not ready ${f.notReady}, failed ${f.failed}`,
      );
    }
    console.log('');
    console.log(
      markdownTable(
        ['figure', ...CONTENDERS.map((contender) => CONTENDER_LABELS[contender])],
        coldStartRows(figures, size),
      ),
    );
    console.log(
      `\n${rounds} rounds (after one discarded), median [min – max]; ratio: median of per-round ratios`,
    );
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    recorder.stop();
    await env.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
