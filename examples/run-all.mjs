#!/usr/bin/env node
// Runs every example offline (against the emulator), two at a time, each with a timeout:
//   node examples/run-all.mjs [--verbose] [--jobs N] [name …]
// Prints `example <name>: ok (Xs)` per example and `N passed, M failed`; exits 1 on any failure.
// REDIS_URL, VAULT_URL, AZURE_*, AWS_*, GCE_* and GOOGLE_* are removed from the examples' environment: always offline.
// The packages must be built first (`pnpm turbo run build --filter=./packages/*`).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EXAMPLES_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT_DIR = dirname(EXAMPLES_DIR);

/** The examples, in run order, with the arguments that make them finish on their own. */
const EXAMPLES = [
  { name: 'service-principal', args: [] },
  { name: 'certificate', args: [] },
  { name: 'managed-identity', args: [] },
  { name: 'pkce-web', args: ['--self-test'] },
  { name: 'default-azure-credential', args: [] },
  { name: 'custom-provider', args: [] },
  { name: 'aws-elasticache', args: [] },
  { name: 'gcp-memorystore', args: [] },
  { name: 'pubsub-resp2', args: [] },
  { name: 'cluster', args: [] },
  { name: 'bullmq', args: [] },
  { name: 'otel-metrics', args: [] },
];

/** Scenario length per example, in seconds, unless EXAMPLE_DURATION_SEC is set: ≥ 3 rotations of 3 s tokens. */
const DURATION_SEC = 6;
/** Per example, in milliseconds: a run takes ~8 s plus start-up; a local cluster may take 20 s to form. */
const TIMEOUT_MS = 60_000;
/** Output lines shown for a failed example (all of them with --verbose). */
const FAILURE_TAIL_LINES = 40;

/**
 * Examples running at once. Each spends most of its run waiting for token rotations (little CPU),
 * and each starts its own emulator on free ports, so two at a time halve the wall time on a
 * 2-core machine without crowding it; `--jobs 1` runs them one after the other.
 */
const DEFAULT_JOBS = 2;

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose');
const jobsAt = argv.indexOf('--jobs');
const jobs = jobsAt === -1 ? DEFAULT_JOBS : Number(argv[jobsAt + 1]);
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error('--jobs takes a positive integer');
  process.exit(2);
}
const only = argv.filter((arg, i) => !arg.startsWith('--') && argv[i - 1] !== '--jobs');
const unknown = only.filter((name) => !EXAMPLES.some((example) => example.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown example(s): ${unknown.join(', ')}; known: ${EXAMPLES.map((e) => e.name).join(', ')}`,
  );
  process.exit(2);
}

/** The environment of every example: offline, whatever the caller's shell holds. */
function offlineEnv(dir) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      name === 'REDIS_URL' ||
      name === 'VAULT_URL' ||
      /^(AZURE|AWS|ELASTICACHE|GCE|GOOGLE)_/.test(name) ||
      name === 'METADATA_SERVER_DETECTION'
    ) {
      delete env[name];
    }
  }
  env.EXAMPLE_DURATION_SEC ??= String(DURATION_SEC);
  // What `pnpm start` does: the package's and the workspace's bins first on PATH.
  env.PATH = [join(dir, 'node_modules', '.bin'), join(ROOT_DIR, 'node_modules', '.bin'), env.PATH].join(
    delimiter,
  );
  return env;
}

/** Runs the example's `start` script; resolves to { ok, seconds, output }. */
function run({ name, args }) {
  const dir = join(EXAMPLES_DIR, name);
  const { scripts } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const command = [scripts.start, ...args].join(' ');
  const startedAtMs = Date.now();
  return new Promise((resolve) => {
    // Its own process group, so that a timeout stops the example and everything it started.
    const child = spawn(command, { cwd: dir, env: offlineEnv(dir), shell: true, detached: true });
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      if (verbose) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (Date.now() - startedAtMs) / 1000;
      const reason = timedOut
        ? `timed out after ${TIMEOUT_MS / 1000} s`
        : signal
          ? `killed by ${signal}`
          : `exit code ${code}`;
      resolve({ ok: code === 0 && !timedOut, seconds, output, reason });
    });
  });
}

let passed = 0;
let failed = 0;
const startedAtMs = Date.now();
const queue = EXAMPLES.filter((e) => only.length === 0 || only.includes(e.name));
async function worker() {
  for (let example = queue.shift(); example; example = queue.shift()) {
    const result = await run(example);
    if (result.ok) {
      passed++;
      console.log(`example ${example.name}: ok (${result.seconds.toFixed(1)}s)`);
    } else {
      failed++;
      console.log(`example ${example.name}: FAILED, ${result.reason} (${result.seconds.toFixed(1)}s)`);
      if (!verbose) {
        const lines = result.output.trimEnd().split('\n').slice(-FAILURE_TAIL_LINES);
        for (const line of lines) console.log(`  | ${line}`);
      }
    }
  }
}
await Promise.all(Array.from({ length: jobs }, worker));
console.log(`${passed} passed, ${failed} failed (${((Date.now() - startedAtMs) / 1000).toFixed(1)}s)`);
process.exitCode = failed === 0 ? 0 : 1;
