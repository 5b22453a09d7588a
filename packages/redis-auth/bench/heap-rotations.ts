// Heap per bound connection across 1,000 credential rotations (issue #10): does the binding keep
// anything per rotation? N node-redis connections on a real redis-server whose ACL user takes any
// password (`nopass`), so a provider of our own can hand out a new password each rotation; each
// rotation completes (every connection's AUTH answered) before the next. heapUsed after repeated
// gc() at checkpoints, for bound clients and for node-redis' built-in streaming provider path, and
// as a control, plain clients with a static password going through the same rounds of PINGs
// without a rotation (what heap moves by without any credentials change).
// Usage: pnpm bench:heap-rotations [--connections N] [--rotations R] [--reverse]
import { startRedisServer } from '@authx/emulator';
import { createClient } from 'redis';
import { createRedisAuth } from '../src';
import type { AnyClient as Client } from '../test/support/types';
import { RotatingPasswordProvider } from './contenders';
import { settledHeapUsed } from './heap';

type Contender = 'bound' | 'built-in' | 'static';

const USERNAME = 'rotating';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index === -1 ? fallback : Number(process.argv[index + 1]);
}

interface Run {
  readonly contender: Contender;
  /** Bytes per connection over the heap before the clients existed, at each checkpoint. */
  readonly perConnection: ReadonlyMap<number, number>;
}

/**
 * One contender: N clients connected, then `rotations` rotations. A rotation is complete when
 * every client answered a PING sent right after it: node-redis sends the AUTH of a rotation
 * synchronously from the provider's callback (both paths), so the PING reply comes after it.
 */
async function run(url: string, contender: Contender, n: number, checkpoints: readonly number[]) {
  const provider = new RotatingPasswordProvider(USERNAME);
  const auth = contender === 'bound' ? createRedisAuth(provider) : undefined;
  let authReplies = 0;
  auth?.events.on('reauthenticated', () => {
    authReplies++;
  });
  const before = await settledHeapUsed();
  const clients: Client[] = [];
  for (let i = 0; i < n; i++) {
    const client: Client = auth
      ? auth.bind(createClient({ url, RESP: 2 }) as Client)
      : contender === 'static'
        ? (createClient({ url, RESP: 2, username: USERNAME, password: 'static' }) as Client)
        : (createClient({ url, RESP: 2, credentialsProvider: provider as never }) as Client);
    client.on('error', (error: Error) => {
      throw error;
    });
    clients.push(client);
  }
  for (let i = 0; i < n; i += 50) await Promise.all(clients.slice(i, i + 50).map((c) => c.connect()));
  const perConnection = new Map<number, number>();
  const last = checkpoints[checkpoints.length - 1] ?? 0;
  for (let rotation = 0; rotation <= last; rotation++) {
    if (rotation > 0) {
      if (contender !== 'static') provider.rotate();
      await Promise.all(clients.map((client) => client.ping()));
    }
    if (checkpoints.includes(rotation)) {
      perConnection.set(rotation, ((await settledHeapUsed()) - before) / n);
    }
  }
  if (auth && authReplies !== n * last) {
    throw new Error(`expected ${n * last} AUTH replies, the binding reported ${authReplies}`);
  }
  for (const client of clients) client.destroy();
  auth?.dispose();
  return { contender, perConnection } satisfies Run;
}

function table(runs: readonly Run[], n: number, checkpoints: readonly number[]): string {
  const first = checkpoints[0] ?? 0;
  const last = checkpoints[checkpoints.length - 1] ?? 0;
  const header = [
    'contender',
    ...checkpoints.map((c) => `@${c} (B/conn)`),
    `growth/conn/${last} rot (B)`,
    'total growth (KiB)',
  ];
  const rows = runs.map((r) => {
    const at = (c: number) => r.perConnection.get(c) ?? Number.NaN;
    const growth = at(last) - at(first);
    return [
      r.contender,
      ...checkpoints.map((c) => at(c).toFixed(0)),
      growth.toFixed(1),
      ((growth * n) / 1024).toFixed(1),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const n = argument('--connections', 500);
  const rotations = argument('--rotations', 1000);
  const checkpoints = [0, 100, 250, 500, 750, 1000].filter((c) => c <= rotations);
  if (!checkpoints.includes(rotations)) checkpoints.push(rotations);
  const server = await startRedisServer({ args: ['--maxclients', String(n * 2 + 100)] });
  const admin = createClient({ url: server.url, RESP: 2 });
  await admin.connect();
  // `nopass`: any password is accepted, so every rotation's AUTH succeeds without an ACL change.
  await admin.sendCommand(['ACL', 'SETUSER', USERNAME, 'on', 'nopass', '~*', '&*', '+@all']);
  try {
    const runs: Run[] = [];
    // All run in one process, one after the other: --reverse reverses the order.
    const order: Contender[] = ['bound', 'built-in', 'static'];
    if (process.argv.includes('--reverse')) order.reverse();
    for (const contender of order) {
      const started = performance.now();
      runs.push(await run(server.url, contender, n, checkpoints));
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(`${contender}: ${n} connections × ${rotations} rotations in ${seconds} s`);
    }
    console.log(
      `\nheap per connection over the heap before the clients (heapUsed after gc), N = ${n}, Node ${process.version}:\n`,
    );
    console.log(table(runs, n, checkpoints));
  } finally {
    admin.destroy();
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
