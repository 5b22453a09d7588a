import { startRedisServer } from '@authx/emulator';
import { createRedisAuth } from '../src';
import type { AnyClient as Client } from '../test/support/types';
import { CONTENDERS, type Contender, contenderClient, staticProvider } from './contenders';
import { formatMedian, median, summarize } from './stats';

export type Pipelining = 'pipelined' | 'unpipelined';

/** Commands in one slice: 5 pipelined batches of 200 (100 SET + 100 GET), or 200 one at a time. */
const PIPELINED_BATCHES = 5;
const BATCH = 200;
const UNPIPELINED_COMMANDS = 200;

/** One slice of work on `client`: a fixed number of SET/GET commands; returns its length in ms. */
async function slice(
  client: Client,
  mode: Pipelining,
): Promise<{ ms: number; cpuMs: number; commands: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const cpuMs = () => {
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000;
  };
  if (mode === 'pipelined') {
    for (let b = 0; b < PIPELINED_BATCHES; b++) {
      const batch: Promise<unknown>[] = [];
      for (let i = 0; i < BATCH; i++)
        batch.push(i % 2 === 0 ? client.set(`bench:${i}`, 'x') : client.get(`bench:${i - 1}`));
      await Promise.all(batch);
    }
    return { ms: performance.now() - started, cpuMs: cpuMs(), commands: PIPELINED_BATCHES * BATCH };
  }
  for (let i = 0; i < UNPIPELINED_COMMANDS; i++) {
    await (i % 2 === 0 ? client.set(`bench:${i}`, 'x') : client.get(`bench:${i - 1}`));
  }
  return { ms: performance.now() - started, cpuMs: cpuMs(), commands: UNPIPELINED_COMMANDS };
}

/** Order of round `round`: rotated every round and reversed every other, so no contender always goes first. */
function roundOrder<T>(items: readonly T[], round: number): T[] {
  const shift = round % items.length;
  const rotated = [...items.slice(shift), ...items.slice(0, shift)];
  return round % 2 === 1 ? rotated.reverse() : rotated;
}

/**
 * Steady-state throughput by paired slices: one connection per contender on one password-protected
 * redis-server; each round runs one short slice (a fixed number of commands, 10–30 ms) of every
 * contender back to back, in rotating order, and the round's ratio is the static password's slice
 * time ÷ the contender's. Adjacent slices see the same machine, so the drift that spreads 1 s rounds
 * by ±25 % cancels; the median over hundreds of rounds comes with a confidence interval.
 */
export async function throughputRows(mode: Pipelining, rounds: number): Promise<string> {
  const credentials = { username: 'default', password: 'bench-password' };
  const server = await startRedisServer({ args: ['--requirepass', credentials.password] });
  const auth = createRedisAuth(staticProvider(credentials));
  const clients = new Map(CONTENDERS.map((c) => [c, contenderClient(server.url, c, credentials, auth)]));
  try {
    for (const client of clients.values()) await client.connect();
    // Warm-up (JIT, socket buffers), not counted.
    for (let i = 0; i < 20; i++) for (const client of clients.values()) await slice(client, mode);
    const times = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
    const cpuTimes = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
    let commands = 0;
    for (let round = 0; round < rounds; round++) {
      for (const contender of roundOrder(CONTENDERS, round)) {
        const result = await slice(clients.get(contender) as Client, mode);
        times.get(contender)?.push(result.ms);
        cpuTimes.get(contender)?.push(result.cpuMs);
        commands = result.commands;
      }
    }
    const staticMs = times.get('static') as number[];
    const cells = CONTENDERS.map((contender) => {
      const ms = times.get(contender) as number[];
      const opsPerSec = (commands / median(ms)) * 1000;
      if (contender === 'static') return `static ${opsPerSec.toFixed(0)} ops/s`;
      const ratios = summarize(ms.map((t, i) => (staticMs[i] as number) / t));
      const staticCpu = cpuTimes.get('static') as number[];
      const cpuRatios = summarize(
        (cpuTimes.get(contender) as number[]).map((t, i) => t / (staticCpu[i] as number)),
      );
      return `${contender} ${opsPerSec.toFixed(0)} ops/s, ${formatMedian(ratios, 3)} × static, client CPU per command ${formatMedian(cpuRatios, 3)} × static`;
    });
    return `steady-state ${mode} SET/GET, ${rounds} paired slices of ${commands} commands (median of the per-round ratios [95 % CI]): ${cells.join(' | ')}`;
  } finally {
    for (const client of clients.values()) client.destroy();
    auth.dispose();
    await server.stop();
  }
}
