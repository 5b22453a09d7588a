import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { MANAGED_IDENTITY_ENV_VARS } from '@authx/emulator';
import type { ContenderId, ScenarioErrors, WorkerConfig, WorkerReply, WorkerRequest } from './protocol';

const WORKER_ENTRY = join(__dirname, 'worker', 'worker-main.ts');
/** A worker that does not answer within this time is killed and the run fails. */
const REQUEST_TIMEOUT_MS = 120_000;

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };
type RequestBody = WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** A contender's child process, driven by request/reply messages over IPC. */
export class WorkerHandle {
  readonly #child: ChildProcess;
  /** The worker's process id. */
  readonly pid: number;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #exited: Promise<void>;

  private constructor(
    readonly contender: ContenderId,
    child: ChildProcess,
  ) {
    this.#child = child;
    this.pid = child.pid ?? -1;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (message: WorkerReply) => this.#onReply(message));
    child.once('exit', (code) => {
      for (const pending of this.#pending.values()) {
        clearTimeout(pending.timer);
        pending.reject(new Error(`${contender} worker exited (code ${code}) before replying`));
      }
      this.#pending.clear();
    });
  }

  /**
   * Starts a worker with `environment` applied before any module loads (MSAL reads the managed
   * identity source once per process), then sends it its configuration.
   */
  static async start(config: WorkerConfig, environment: Record<string, string>): Promise<WorkerHandle> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of MANAGED_IDENTITY_ENV_VARS) delete env[name];
    Object.assign(env, environment);
    const child = fork(WORKER_ENTRY, [], {
      env,
      execArgv: ['--expose-gc', '--require', 'tsx/cjs'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (message: { type?: string }) => {
        if (message.type !== 'ready') return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null) =>
        reject(new Error(`${config.contender} worker exited (${code}) at start`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    const handle = new WorkerHandle(config.contender, child);
    await handle.request({ type: 'init', config });
    return handle;
  }

  request<T = unknown>(body: RequestBody): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new Error(`${this.contender} worker did not answer '${body.type}' in ${REQUEST_TIMEOUT_MS} ms`),
        );
        this.#child.kill('SIGKILL');
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.#child.send({ ...body, id } as WorkerRequest);
    });
  }

  /** Runs `body` between `begin` (a fresh provider in the worker) and `end` (connections closed, refresh loop stopped). */
  async scenario<T>(body: () => Promise<T>): Promise<{ value: T; errors: ScenarioErrors }> {
    await this.request({ type: 'begin' });
    let value: T;
    try {
      value = await body();
    } catch (error) {
      await this.request({ type: 'end' }).catch(() => undefined);
      throw error;
    }
    return { value, errors: await this.request<ScenarioErrors>({ type: 'end' }) };
  }

  /** Asks the worker to close everything and exit; kills it if it has not exited in 5 s. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    await this.request({ type: 'shutdown' }).catch(() => undefined);
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await this.#exited;
    clearTimeout(killer);
  }

  #onReply(message: WorkerReply): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new Error(`${this.contender} worker: ${message.error}`));
  }
}
