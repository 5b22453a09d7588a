// Benchmarks: ours vs node-redis' built-in streaming path with the same provider.
// Usage: pnpm bench
import { startRedisServer } from '@authx/emulator';
import { createClient } from 'redis';
import { createRedisAuth, type StreamingProvider } from '../src';
import { startTestGateway, type TestGateway } from '../test/support/gateway';
import { JwtTokenProvider } from '../test/support/jwt-token-provider';
import type { AnyClient as Client } from '../test/support/types';
import { waitFor } from '../test/support/wait-for';

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

/** Pipelined GET throughput (ops/s) of a client on a password-protected redis-server. */
async function throughput(url: string, bound: boolean, durationMs: number): Promise<number> {
  const password = 'bench-password';
  const provider: StreamingProvider = {
    type: 'streaming-credentials-provider',
    subscribe: async () => [{ password }, { dispose() {} }],
    onReAuthenticationError() {},
  };
  const auth = bound ? createRedisAuth(provider) : undefined;
  const client = bound ? createClient({ url }) : createClient({ url, password });
  if (auth) auth.bind(client);
  await client.connect();
  await client.set('bench', 'x');
  let ops = 0;
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) batch.push(client.get('bench'));
    await Promise.all(batch);
    ops += 200;
  }
  client.destroy();
  auth?.dispose();
  return ops / (durationMs / 1000);
}

/** Steady-state throughput with the binding vs a static password, side by side. */
async function throughputRow(): Promise<string> {
  const server = await startRedisServer({ args: ['--requirepass', 'bench-password'] });
  let boundTotal = 0;
  let staticTotal = 0;
  // Alternating order, so warm-up and background load fall on both sides alike.
  for (let round = 0; round < 6; round++) {
    const boundFirst = round % 2 === 1;
    if (boundFirst) boundTotal += await throughput(server.url, true, 1500);
    staticTotal += await throughput(server.url, false, 1500);
    if (!boundFirst) boundTotal += await throughput(server.url, true, 1500);
  }
  await server.stop();
  return `steady-state GET throughput: bound ${(boundTotal / 6).toFixed(0)} ops/s | static password ${(staticTotal / 6).toFixed(0)} ops/s | ratio ${(boundTotal / staticTotal).toFixed(3)}`;
}

async function main(): Promise<void> {
  if (process.argv.includes('--throughput-only')) return throughputRow().then((row) => console.log(row));
  const gw = await startTestGateway();
  const rows: string[] = [];
  for (const n of [100, 1000]) {
    const ours = await timeToReauth(gw, 'ours', n);
    const builtIn = await timeToReauth(gw, 'built-in', n);
    rows.push(
      `new token → all AUTH replies, N=${n}: ours ${ours.toFixed(0)} ms | built-in ${builtIn.toFixed(0)} ms`,
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

  rows.push(await throughputRow());
  for (const row of rows) console.log(row);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
