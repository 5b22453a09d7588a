// The comparison benchmark: authx vs @redis/entraid vs a static token on the local emulator.
// Usage: pnpm bench [--quick]   (node --expose-gc --import tsx src/main.ts)
import { runBenchmark } from './run-benchmark';
import { runPlan } from './run-plan';

async function main(): Promise<void> {
  const plan = runPlan(process.argv.slice(2));
  const results = await runBenchmark(plan, (line) => console.log(`… ${line}`));
  console.log(JSON.stringify(results, (key, value) => (key === 'timeline' ? '[timeline]' : value), 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
