import { durationSec, runMain } from '@example/kit';
import { runApp } from './app';
import { runLocally } from './local-run';

const WHICH = ['system', 'user', 'both'] as const;

async function main(): Promise<boolean> {
  // With REDIS_URL this process is the app (on Azure, or a child of the local run below).
  if (process.env.REDIS_URL) return runApp(process.env, durationSec() * 1000);
  const which = process.argv[2] ?? 'both';
  if (!(WHICH as readonly string[]).includes(which)) {
    throw new Error(`unknown argument '${which}': expected one of ${WHICH.join(', ')}`);
  }
  return runLocally(which as (typeof WHICH)[number], durationSec());
}

runMain(main);
