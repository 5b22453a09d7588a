/** How long the scenario runs, in seconds: EXAMPLE_DURATION_SEC, default 8 (≥ 2 rotations of 3 s tokens). */
export function durationSec(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.EXAMPLE_DURATION_SEC ?? 8);
}

/** Starts a target, runs the scenario against it, and stops the target whatever happened. */
export async function withTarget<T extends { stop(): Promise<void> }>(
  start: () => Promise<T>,
  scenario: (target: T) => Promise<boolean>,
): Promise<boolean> {
  const target = await start();
  try {
    return await scenario(target);
  } finally {
    await target.stop();
  }
}

/** Runs an example's main: prints `result: ok` / `result: FAILED` and sets the exit code (0 / 1). */
export function runMain(main: () => Promise<boolean>): void {
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
}
