import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port';

/** Raised when `redis-server` cannot be started (not installed, port taken, bad arguments). */
export class RedisServerStartError extends Error {
  readonly code: 'REDIS_SERVER_MISSING' | 'REDIS_SERVER_START_FAILED';
  constructor(code: RedisServerStartError['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedisServerStartError';
    this.code = code;
  }
}

export interface RedisServerOptions {
  /** TCP port; default: a free port chosen by the OS. */
  port?: number;
  /** Bind address; default `127.0.0.1`. */
  host?: string;
  /** Extra `redis-server` arguments, e.g. `['--cluster-enabled', 'yes']`. */
  args?: string[];
  /** Path of the `redis-server` binary; default `redis-server` from PATH (or `REDIS_SERVER_BIN`). */
  binary?: string;
  /** How long to wait for "Ready to accept connections"; default 10000 ms. */
  startTimeoutMs?: number;
}

/** A `redis-server` child process that keeps nothing on disk; `stop()` kills it by pid. */
export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  /** Working directory of the server (removed by `stop()`). */
  readonly dir: string;
  stop(): Promise<void>;
}

/**
 * Starts a private `redis-server` on a free port (`--save '' --appendonly no`), waits until it
 * accepts connections, and returns a handle that stops it. Retries on a port race.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const attempts = options.port === undefined ? 5 : 1;
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      lastError = error;
      if (error instanceof RedisServerStartError && error.code === 'REDIS_SERVER_MISSING') throw error;
    }
  }
  throw lastError;
}

async function startOnce(options: RedisServerOptions): Promise<RedisServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await findFreePort(host));
  const binary = options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const dir = mkdtempSync(join(tmpdir(), 'authx-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    host,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--dir',
    dir,
    '--logfile',
    '',
    ...(options.args ?? []),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  await waitUntilReady(child, binary, port, options.startTimeoutMs ?? 10_000).catch((error) => {
    child.kill('SIGKILL');
    cleanup();
    throw error;
  });
  child.stdout?.resume();
  child.stderr?.resume();
  let stopped: Promise<void> | undefined;
  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    pid: child.pid ?? -1,
    dir,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          cleanup();
          resolve();
          return;
        }
        child.once('exit', () => {
          cleanup();
          resolve();
        });
        child.kill('SIGKILL');
      });
      return stopped;
    },
  };
}

function waitUntilReady(child: ChildProcess, binary: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () =>
        fail(
          new RedisServerStartError(
            'REDIS_SERVER_START_FAILED',
            `redis-server on port ${port} did not start within ${timeoutMs} ms: ${output.slice(-500)}`,
          ),
        ),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) done();
    };
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') {
        fail(
          new RedisServerStartError(
            'REDIS_SERVER_MISSING',
            `redis-server was not found (looked for "${binary}"); install it (e.g. apt-get install redis-server) or set REDIS_SERVER_BIN`,
            { cause: error },
          ),
        );
      } else
        fail(
          new RedisServerStartError(
            'REDIS_SERVER_START_FAILED',
            `redis-server failed to start: ${error.message}`,
            { cause: error },
          ),
        );
    };
    const onExit = (code: number | null) =>
      fail(
        new RedisServerStartError(
          'REDIS_SERVER_START_FAILED',
          `redis-server exited with code ${code} before it was ready (port ${port}): ${output.slice(-500)}`,
        ),
      );
    const detach = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('error', onError);
      child.off('exit', onExit);
    };
    function done() {
      detach();
      resolve();
    }
    function fail(error: Error) {
      detach();
      reject(error);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', onError);
    child.once('exit', onExit);
  });
}
