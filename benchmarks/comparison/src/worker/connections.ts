import type { OpenResult, PingFloorResult, ThroughputResult, ThroughputSliceRequest } from '../protocol';
import type { BenchClient, ClientKit } from './client-kit';
import { settledHeapUsed } from './gc';

/** Connections opened at once while opening many (bounded so the gateway is not flooded). */
const CONNECT_BATCH = 50;

/** The connections a worker holds between requests (fan-out, reconnects, throughput). */
export class OpenConnections {
  readonly clients: BenchClient[] = [];

  constructor(private readonly kit: ClientKit) {}

  async open(count: number, measureHeap: boolean): Promise<OpenResult> {
    if (measureHeap) {
      // One connection opened and closed first: code loaded, first token fetched, pools warmed, so
      // the baseline holds everything but the connections themselves.
      const warmUp = this.kit.newClient(2);
      await warmUp.connect();
      await warmUp.ping();
      warmUp.destroy();
    }
    const heapBeforeBytes = measureHeap ? await settledHeapUsed() : 0;
    const started = performance.now();
    const fresh = Array.from({ length: count }, () => this.kit.newClient(2));
    for (let i = 0; i < fresh.length; i += CONNECT_BATCH) {
      await Promise.all(fresh.slice(i, i + CONNECT_BATCH).map((client) => client.connect()));
    }
    const connectMs = performance.now() - started;
    this.clients.push(...fresh);
    const heapAfterBytes = measureHeap ? await settledHeapUsed() : 0;
    return { connections: this.clients.length, connectMs, heapBeforeBytes, heapAfterBytes };
  }

  async pingAll(): Promise<number> {
    const replies = await Promise.allSettled(this.clients.map((client) => client.ping()));
    return replies.filter((reply) => reply.status === 'rejected').length;
  }

  /**
   * The floor of a fan-out: N PINGs written to the same N connections at the same moment, the
   * way a sweep writes N AUTHs, with no IdP round trip and no token check at the gateway.
   */
  async pingFloor(): Promise<PingFloorResult> {
    const started = performance.now();
    let last = started;
    let failed = 0;
    await Promise.all(
      this.clients.map((client) =>
        client.ping().then(
          () => {
            last = performance.now();
          },
          () => {
            failed++;
          },
        ),
      ),
    );
    return { lastReplyMs: last - started, failed };
  }

  /**
   * One throughput slice on the first connection: `commands` SET/GET (alternating), pipelined in
   * batches of `batch` or sent one at a time, each awaited before the next.
   */
  async throughput(slice: ThroughputSliceRequest): Promise<ThroughputResult> {
    const client = this.clients[0];
    if (!client) throw new Error('open a connection before measuring throughput');
    let ops = 0;
    let failed = 0;
    const count = (outcome: PromiseSettledResult<unknown>) => {
      if (outcome.status === 'fulfilled') ops++;
      else failed++;
    };
    const command = (i: number) =>
      i % 2 === 0 ? client.set(`bench:tp:${i}`, 'value') : client.get(`bench:tp:${i - 1}`);
    const started = performance.now();
    const cpu = process.cpuUsage();
    if (slice.mode === 'pipelined') {
      for (let sent = 0; sent < slice.commands; sent += slice.batch) {
        const batch = Array.from({ length: Math.min(slice.batch, slice.commands - sent) }, (_, i) =>
          command(i),
        );
        for (const outcome of await Promise.allSettled(batch)) count(outcome);
      }
    } else {
      for (let i = 0; i < slice.commands; i++) {
        count((await Promise.allSettled([command(i)]))[0] as PromiseSettledResult<unknown>);
      }
    }
    const durationMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return { ops, failed, durationMs, cpuMs: (used.user + used.system) / 1000 };
  }

  close(): void {
    for (const client of this.clients.splice(0)) client.destroy();
  }
}
