import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface FixtureRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** The JSON the harness printed after `SEED_RESULT`, if any. */
  result:
    | { tokensAcquired: number; commandsOk: number; commandsFailed: number; clientErrors: string[] }
    | undefined;
}

const PACKAGE_DIR = join(__dirname, '..', '..');

/** Runs a test/fixtures TypeScript file in a fresh Node process (tsx), with exactly `env` added. */
export function runFixture(
  name: string,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<FixtureRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(PACKAGE_DIR, 'test', 'fixtures', name)], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('SEED_RESULT '));
      resolve({
        exitCode,
        stdout,
        stderr,
        result: line ? JSON.parse(line.slice('SEED_RESULT '.length)) : undefined,
      });
    });
  });
}

/** Path of the preload that maps the README's redis://your-host to the gateway. */
export const REDIRECT_HOST_PRELOAD = join(__dirname, 'redirect-host.cjs');
