import { runApp } from './app';
import { runLocally } from './local-run';

/** How long the scenario runs, in seconds (EXAMPLE_DURATION_SEC overrides). */
const DURATION_SEC = Number(process.env.EXAMPLE_DURATION_SEC ?? 8);
const WHICH = ['system', 'user', 'both'] as const;

async function main(): Promise<boolean> {
  // With REDIS_URL this process is the app (on Azure, or a child of the local run below).
  if (process.env.REDIS_URL) return runApp(process.env, DURATION_SEC * 1000);
  const which = process.argv[2] ?? 'both';
  if (!(WHICH as readonly string[]).includes(which)) {
    throw new Error(`unknown argument '${which}': expected one of ${WHICH.join(', ')}`);
  }
  return runLocally(which as (typeof WHICH)[number], DURATION_SEC);
}

main().then(
  (ok) => {
    console.log(ok ? 'result: ok' : 'result: FAILED');
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error('result: FAILED', error);
    process.exitCode = 1;
  },
);
