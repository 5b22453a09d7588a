import { startRedisServer } from '@authx/emulator';
import { createRedisAuth } from '../src';
import type { AnyClient as Client } from '../test/support/types';
import { CONTENDERS, type Contender, contenderClient, staticProvider } from './contenders';
import { median } from './stats';

const COMMANDS = 2000;

/** Time (ns per command) to issue `COMMANDS` SETs in one synchronous pass; the replies are awaited after the clock stops. */
async function issuePass(client: Client): Promise<number> {
  const replies: Promise<unknown>[] = new Array(COMMANDS);
  const started = process.hrtime.bigint();
  for (let i = 0; i < COMMANDS; i++) replies[i] = client.set('bench:issue', 'x');
  const elapsedNs = Number(process.hrtime.bigint() - started);
  await Promise.all(replies);
  return elapsedNs / COMMANDS;
}

/**
 * What the binding adds on the path of every command, isolated from the network and the server:
 * the synchronous part of sending a command (node-redis' `sendCommand`, which the binding wraps to
 * see MULTI / EXEC / RESET / blocking commands), timed over one pass of 20,000 SETs per contender
 * per round, rounds in rotating order. The difference to the static client is the wrapper's cost.
 */
export async function issueCostRow(rounds = 400): Promise<string> {
  const credentials = { username: 'default', password: 'bench-password' };
  const server = await startRedisServer({ args: ['--requirepass', credentials.password] });
  const auth = createRedisAuth(staticProvider(credentials));
  const clients = new Map(CONTENDERS.map((c) => [c, contenderClient(server.url, c, credentials, auth)]));
  try {
    for (const client of clients.values()) await client.connect();
    for (let i = 0; i < 5; i++) for (const client of clients.values()) await issuePass(client);
    const ns = new Map<Contender, number[]>(CONTENDERS.map((c) => [c, []]));
    for (let round = 0; round < rounds; round++) {
      const shift = round % CONTENDERS.length;
      const order = [...CONTENDERS.slice(shift), ...CONTENDERS.slice(0, shift)];
      for (const c of round % 2 === 1 ? order.reverse() : order)
        ns.get(c)?.push(await issuePass(clients.get(c) as Client));
    }
    const staticNs = ns.get('static') as number[];
    const cells = CONTENDERS.map((c) => {
      const own = ns.get(c) as number[];
      if (c === 'static') return `static ${median(own).toFixed(0)} ns`;
      const extra = own.map((v, i) => v - (staticNs[i] as number));
      return `${c} ${median(own).toFixed(0)} ns (${median(extra) >= 0 ? '+' : ''}${median(extra).toFixed(0)} ns, range ${Math.min(...extra).toFixed(0)} – ${Math.max(...extra).toFixed(0)})`;
    });
    return `synchronous cost to issue a command, median of ${rounds} rounds × ${COMMANDS} SETs (difference to static per round): ${cells.join(' | ')}`;
  } finally {
    for (const client of clients.values()) client.destroy();
    auth.dispose();
    await server.stop();
  }
}
