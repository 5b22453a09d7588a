import diagnosticsChannel from 'node:diagnostics_channel';
import { startRedisServer } from '@authx/emulator';
import { createClient } from 'redis';
import { createRedisAuth } from '../src';
import type { AnyClient as Client } from '../test/support/types';
import { connectAll, RotatingPasswordProvider } from './contenders';
import { median } from './stats';

type Mode = 'bound' | 'built-in';

const USERNAME = 'bench';

/**
 * Resolves when node-redis has seen `count` replies to `command` (its own tracing channel, the
 * same probe for every contender), with the time from `start` to the last one.
 */
function repliesOf(command: string, count: number, start: () => void): Promise<number> {
  const channel = diagnosticsChannel.tracingChannel('node-redis:command');
  return new Promise((resolve) => {
    let seen = 0;
    let startedMs = 0;
    const handlers = {
      start: () => undefined,
      end: () => undefined,
      asyncStart: () => undefined,
      error: () => undefined,
      asyncEnd: (message: unknown) => {
        if ((message as { command?: string }).command !== command || ++seen < count) return;
        channel.unsubscribe(handlers);
        resolve(performance.now() - startedMs);
      },
    };
    channel.subscribe(handlers);
    startedMs = performance.now();
    start();
  });
}

interface FanoutRound {
  /** New credentials → the last of the N AUTH replies, ms. */
  readonly authMs: number;
  /** N PINGs sent in one pass on the same connections → the last reply, ms. */
  readonly floorMs: number;
}

async function fanoutRound(url: string, mode: Mode, n: number): Promise<FanoutRound> {
  const provider = new RotatingPasswordProvider(USERNAME);
  const auth = mode === 'bound' ? createRedisAuth(provider) : undefined;
  const clients: Client[] = Array.from({ length: n }, () => {
    const client = auth
      ? auth.bind(createClient({ url, RESP: 2 }) as Client)
      : (createClient({ url, RESP: 2, credentialsProvider: provider as never }) as Client);
    client.on('error', () => {});
    return client;
  });
  try {
    await connectAll(clients);
    // One rotation first, not counted: every code path of the sweep compiled.
    await repliesOf('AUTH', n, () => provider.rotate());
    const authMs = await repliesOf('AUTH', n, () => provider.rotate());
    const floorMs = await repliesOf('PING', n, () => {
      for (const client of clients) client.ping().catch(() => {});
    });
    return { authMs, floorMs };
  } finally {
    for (const client of clients) client.destroy();
    auth?.dispose();
  }
}

const range = (values: readonly number[]) =>
  `${median(values).toFixed(0)} [${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}]`;

/**
 * The client side of a fan-out, with nothing else in it: N connections straight to redis-server,
 * whose `nopass` user accepts any password at once (no IdP round trip, no proxy, no token check),
 * the provider handing out new credentials synchronously. Rounds alternate which of the two goes
 * first; node-redis' built-in streaming path with the same provider is the reference, and N PINGs
 * on the same connections the floor.
 */
export async function fanoutDirectRows(sizes: readonly number[], rounds: number): Promise<string[]> {
  const server = await startRedisServer({
    args: ['--maxclients', '12000', '--user', USERNAME, 'on', 'nopass', '~*', '&*', '+@all'],
  });
  const rows: string[] = [];
  try {
    for (const n of sizes) {
      const results: Record<Mode, FanoutRound[]> = { bound: [], 'built-in': [] };
      for (let round = 0; round < rounds; round++) {
        const order: Mode[] = round % 2 === 0 ? ['bound', 'built-in'] : ['built-in', 'bound'];
        for (const mode of order) results[mode].push(await fanoutRound(server.url, mode, n));
      }
      const auth = (mode: Mode) => results[mode].map((r) => r.authMs);
      const floor = [...results.bound, ...results['built-in']].map((r) => r.floorMs);
      const vsBuiltIn = results.bound.map(
        (r, i) => r.authMs / (results['built-in'][i] as FanoutRound).authMs,
      );
      const vsFloor = results.bound.map((r) => r.authMs / r.floorMs);
      rows.push(
        `client-side fan-out N=${n} (ms, median [min–max] of ${rounds}): bound ${range(auth('bound'))} | built-in ${range(auth('built-in'))} | floor (N PINGs) ${range(floor)} | bound ÷ built-in ${median(vsBuiltIn).toFixed(2)}, bound ÷ floor ${median(vsFloor).toFixed(2)}`,
      );
    }
  } finally {
    await server.stop();
  }
  return rows;
}
