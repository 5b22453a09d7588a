import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

const PACKAGE_DIR = join(__dirname, '..', '..', '..');

/** The CLI as a user runs it, from source (no build needed): `node --import tsx src/cli.ts …`. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new CliProcess(child);
  }

  /** Resolves once stdout satisfies `ready`; rejects if the CLI exits first or after `timeoutMs`. */
  async waitForOutput(ready: (stdout: string) => boolean, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    while (!ready(this.stdout)) {
      if (exited) throw new Error(`the CLI exited before it was ready: ${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`the CLI was not ready within ${timeoutMs} ms: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.stdout;
  }

  /** Process ids of this CLI's redis-server children. */
  async redisServerChildren(): Promise<number[]> {
    const { stdout } = await run('ps', ['-o', 'pid=,comm=', '--ppid', String(this.child.pid)]).catch(() => ({
      stdout: '',
    }));
    return stdout
      .split('\n')
      .filter((row) => row.includes('redis-server'))
      .map((row) => Number(row.trim().split(/\s+/)[0]));
  }

  /**
   * Makes sure the CLI and its redis-server are gone (for afterEach; a passing test has already
   * stopped it): SIGTERM first so the CLI stops its children, then SIGKILL for both.
   */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const children = await this.redisServerChildren();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      this.child.kill('SIGKILL');
      for (const pid of children) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }, 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
