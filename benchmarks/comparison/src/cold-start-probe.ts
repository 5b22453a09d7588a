// Cold start alone: authx vs @redis/entraid vs the static token, N clients connecting at once with
// a fresh provider, cold and warm, alternating rounds (the same scenario as the full bench's).
// Usage: pnpm --filter @authx-bench/comparison probe:cold-start [--size N] [--rounds R]
import { medianWithCi } from './analysis/stats';
import { startBenchEnv } from './bench-env';
import { pinProcesses } from './cpu-placement';
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
  console.log(
    pinProcesses(
      env.local.redisServers.map((server) => server.pid),
      workers.map((worker) => worker.pid),
    ),
  );
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
    // The per-round ratios' median with its 95 % confidence interval (enough rounds make it narrow).
    const staticMs = figures.find((f) => f.contender === 'static')?.connectAllMs ?? [];
    for (const f of figures.filter((figure) => figure.contender !== 'static')) {
      const ratio = medianWithCi(f.connectAllMs.map((ms, round) => ms / (staticMs[round] as number)));
      console.log(
        `${f.contender}/${f.mode} ÷ static: ${ratio.median.toFixed(3)} [95 % CI ${ratio.ciLow.toFixed(3)}–${ratio.ciHigh.toFixed(3)}]`,
      );
    }
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
