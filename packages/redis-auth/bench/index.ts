// Benchmarks: ours vs node-redis' built-in streaming path with the same provider.
// Usage: pnpm bench [--throughput-only | --issue-cost-only | --heap-only | --fanout-only] [--rounds N]
import { startRedisServer } from '@authx/emulator';
import { createClient } from 'redis';
import { createRedisAuth, type StreamingProvider } from '../src';
import { startTestGateway, type TestGateway } from '../test/support/gateway';
import { JwtTokenProvider } from '../test/support/jwt-token-provider';
import type { AnyClient as Client } from '../test/support/types';
import { waitFor } from '../test/support/wait-for';
import { CONTENDERS, type Contender, contenderClient, staticProvider } from './contenders';
import { fanoutDirectRows } from './fanout-direct';
import { settledHeapUsed } from './heap';
import { issueCostRow } from './issue-cost';
import { median } from './stats';
import { throughputRows } from './throughput';

type Mode = 'ours' | 'built-in';

async function connectMany(gw: TestGateway, mode: Mode, provider: JwtTokenProvider, n: number) {
  const auth = mode === 'ours' ? createRedisAuth(provider) : undefined;
  const clients: Client[] = [];
  for (let i = 0; i < n; i++) {
    const credentialsProvider = auth ?? (provider as StreamingProvider);
    const client = createClient({ url: gw.url, credentialsProvider: credentialsProvider as never });
    client.on('error', () => {});
    if (auth) auth.bind(client);
    clients.push(client);
  }
  for (let i = 0; i < n; i += 50) await Promise.all(clients.slice(i, i + 50).map((c) => c.connect()));
  return { clients, auth };
}

/** Time from a new token to the AUTH reply on every one of `n` connections. */
async function timeToReauth(gw: TestGateway, mode: Mode, n: number): Promise<number> {
  const provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 600_000, refreshRatio: 0 });
  const { clients, auth } = await connectMany(gw, mode, provider, n);
  let oks = 0;
  const onOk = () => oks++;
  gw.gateway.on('authOk', onOk);
  const start = performance.now();
  await provider.rotateNow();
  await waitFor(() => oks >= n, `${n} AUTH replies`, 60_000);
  const elapsedMs = performance.now() - start;
  gw.gateway.off('authOk', onOk);
  for (const c of clients) c.destroy();
  auth?.dispose();
  provider.close();
  return elapsedMs;
}

/** AUTH commands one refresh produces on one connection that was killed `kills` times before. */
async function authsPerRefreshAfterKills(gw: TestGateway, mode: Mode, kills: number): Promise<number> {
  const provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 600_000, refreshRatio: 0 });
  const { clients, auth } = await connectMany(gw, mode, provider, 1);
  const client = clients[0] as Client;
  for (let i = 0; i < kills; i++) {
    const epoch = client.socketEpoch;
    gw.gateway.kill();
    await waitFor(() => client.isReady && client.socketEpoch > epoch, 'reconnect');
  }
  await client.ping();
  const id = gw.gateway.connections()[0]?.id ?? -1;
  const before = gw.authCountOf(id);
  await provider.rotateNow();
  await new Promise((r) => setTimeout(r, 300));
  await client.ping();
  const after = gw.authCountOf(id) + (gw.gateway.connections()[0]?.authFailedCount ?? 0);
  client.destroy();
  auth?.dispose();
  provider.close();
  return after - before;
}

/** Heap per connection (N open vs 0, after gc) of one contender: what the binding keeps per connection. */
async function heapPerConnectionKiB(url: string, contender: Contender, password: string, n: number) {
  const credentials = { username: 'default', password };
  const auth = createRedisAuth(staticProvider(credentials));
  const make = () => {
    const client = contenderClient(url, contender, credentials, auth);
    client.on('error', () => {});
    return client;
  };
  // One connection first: code loaded, subscription open, so the baseline holds all but the connections.
  const warmUp = make();
  await warmUp.connect();
  await warmUp.ping();
  warmUp.destroy();
  const before = await settledHeapUsed();
  const clients = Array.from({ length: n }, make);
  for (let i = 0; i < n; i += 50) await Promise.all(clients.slice(i, i + 50).map((c) => c.connect()));
  const after = await settledHeapUsed();
  for (const client of clients) client.destroy();
  auth.dispose();
  return (after - before) / n / 1024;
}

/**
 * Heap per connection of each contender (N open vs 0, after gc), in rounds of rotating order; the
 * binding's own cost is bound − static of the same round (the heap drifts between rounds by more
 * than the difference), reported as the median and the range over rounds.
 */
async function heapRow(rounds = 4, n = 2000): Promise<string> {
  const password = 'bench-password';
  const server = await startRedisServer({ args: ['--requirepass', password, '--maxclients', '10000'] });
  const perRound = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      const shift = round % CONTENDERS.length;
      const order = [...CONTENDERS.slice(shift), ...CONTENDERS.slice(0, shift)];
      for (const contender of round % 2 === 1 ? order.reverse() : order) {
        perRound.get(contender)?.push(await heapPerConnectionKiB(server.url, contender, password, n));
      }
    }
  } finally {
    await server.stop();
  }
  const staticKiB = perRound.get('static') as number[];
  const over = (c: Contender) =>
    (perRound.get(c) as number[]).map((kib, i) => kib - (staticKiB[i] as number));
  const range = (values: number[]) =>
    `${median(values).toFixed(2)} KiB [${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}]`;
  return `heap per connection (${n} vs 0, after gc, ${rounds} rounds): static ${median(staticKiB).toFixed(2)} KiB | over static: bound ${range(over('bound'))}, built-in ${range(over('built-in'))}`;
}

function roundsArg(fallback: number): number {
  const at = process.argv.indexOf('--rounds');
  const value = at === -1 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error('--rounds takes a positive integer');
  return value;
}

async function throughputBothRows(): Promise<string[]> {
  const rounds = roundsArg(400);
  return [await throughputRows('pipelined', rounds), await throughputRows('unpipelined', rounds)];
}

async function main(): Promise<void> {
  if (process.argv.includes('--throughput-only')) {
    console.log(await issueCostRow());
    for (const row of await throughputBothRows()) console.log(row);
    return;
  }
  if (process.argv.includes('--issue-cost-only')) return issueCostRow().then((row) => console.log(row));
  if (process.argv.includes('--fanout-only')) {
    for (const row of await fanoutDirectRows([100, 1000, 5000], roundsArg(5))) console.log(row);
    return;
  }
  if (process.argv.includes('--heap-only')) return heapRow().then((row) => console.log(row));
  const gw = await startTestGateway();
  const rows: string[] = [];
  for (const n of [100, 1000]) {
    // A discarded warm-up of each, then alternating order: whichever ran first used to pay for the
    // cold JIT and gateway, which read as the binding being slower.
    await timeToReauth(gw, 'ours', n);
    await timeToReauth(gw, 'built-in', n);
    const times: Record<Mode, number[]> = { ours: [], 'built-in': [] };
    for (let round = 0; round < 3; round++) {
      const order: Mode[] = round % 2 === 0 ? ['ours', 'built-in'] : ['built-in', 'ours'];
      for (const mode of order) times[mode].push(await timeToReauth(gw, mode, n));
    }
    rows.push(
      `new token → all AUTH replies, N=${n} (median of 3): ours ${median(times.ours).toFixed(0)} ms | built-in ${median(times['built-in']).toFixed(0)} ms`,
    );
  }
  for (const kills of [0, 3]) {
    const ours = await authsPerRefreshAfterKills(gw, 'ours', kills);
    const builtIn = await authsPerRefreshAfterKills(gw, 'built-in', kills);
    rows.push(
      `AUTH per connection per refresh after ${kills} reconnects: ours ${ours} | built-in ${builtIn}`,
    );
  }
  await gw.stop();

  rows.push(...(await fanoutDirectRows([100, 1000, 5000], 5)));
  rows.push(await heapRow());
  rows.push(await issueCostRow());
  rows.push(...(await throughputBothRows()));
  for (const row of rows) console.log(row);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
