import type { AuthOkEvent, RedisGateway } from '@authx/emulator';
import type { IoredisAuth } from '@authx/ioredis';
import type { RedisAuth } from '@authx/redis-auth';
import { Redis } from 'ioredis';
import { createClient } from 'redis';

// A large fleet of bound connections (either binding), the paced load it runs, and the gateway's
// view of which token each connection authenticated with.

/** What the load needs of a client, whichever library it comes from. */
export interface FleetClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
}

export interface Fleet {
  readonly clients: readonly FleetClient[];
  close(): Promise<void>;
}

const BATCH = 100;

async function inBatches<T>(items: readonly T[], connect: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += BATCH) {
    await Promise.all(items.slice(i, i + BATCH).map(connect));
  }
}

/** `count` node-redis clients bound with @authx/redis-auth, connected `BATCH` at a time. */
export async function connectNodeRedisFleet(
  auth: RedisAuth,
  url: string,
  count: number,
  resp: 2 | 3 = 3,
): Promise<Fleet> {
  const clients = Array.from({ length: count }, (_, i) => {
    const client = auth.bind(
      createClient({ url, RESP: resp, credentialsProvider: auth, maintNotifications: 'disabled' } as never),
      { label: `c${i}` },
    ) as unknown as ReturnType<typeof createClient>;
    client.on('error', () => undefined);
    return client;
  });
  await inBatches(clients, (client) => client.connect());
  return {
    clients: clients as unknown as FleetClient[],
    close: async () => {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    },
  };
}

/** `count` ioredis clients bound with @authx/ioredis, connected `BATCH` at a time. */
export async function connectIoredisFleet(
  auth: IoredisAuth,
  url: string,
  count: number,
  protocol: 2 | 3 = 3,
): Promise<Fleet> {
  const { port } = new URL(url);
  const clients = Array.from({ length: count }, (_, i) => {
    const redis = auth.bind(
      new Redis({ host: '127.0.0.1', port: Number(port), protocol, lazyConnect: true }),
      {
        label: `r${i}`,
      },
    );
    redis.on('error', () => undefined);
    return redis;
  });
  await inBatches(clients, (redis) => redis.connect());
  return {
    clients,
    close: async () => {
      for (const redis of clients) redis.disconnect();
    },
  };
}

export interface LoadResult {
  ok: number;
  failed: number;
  errors: string[];
}

/**
 * SET then GET (value checked) on every client, each client pausing `pauseMs` between pairs,
 * until `stop()` resolves; a command counts as failed when it rejects or reads a wrong value.
 */
export async function runPacedLoad(
  clients: readonly FleetClient[],
  stop: Promise<unknown>,
  pauseMs = 250,
): Promise<LoadResult> {
  let stopped = false;
  const end = () => {
    stopped = true;
  };
  stop.then(end, end);
  const result: LoadResult = { ok: 0, failed: 0, errors: [] };
  await Promise.all(
    clients.map(async (client, i) => {
      // Spread the clients over the pause so the load is even, not in waves.
      await new Promise((resolve) => setTimeout(resolve, (i * pauseMs) / clients.length));
      for (let n = 0; !stopped; n++) {
        try {
          await client.set(`fleet:${i}`, String(n));
          if ((await client.get(`fleet:${i}`)) !== String(n)) throw new Error('wrong value read back');
          result.ok += 2;
        } catch (error) {
          result.failed++;
          if (result.errors.length < 5) result.errors.push(String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    }),
  );
  return result;
}

/** Which gateway connections authenticated with which token (by the token's id, never the token). */
export class AuthLedger {
  readonly connectionsByToken = new Map<string, Set<number>>();
  readonly #gateway: RedisGateway;
  readonly #listener = (event: AuthOkEvent) => {
    const key = event.tokenId ?? 'unknown';
    let connections = this.connectionsByToken.get(key);
    if (!connections) this.connectionsByToken.set(key, (connections = new Set()));
    connections.add(event.connectionId);
  };

  constructor(gateway: RedisGateway) {
    this.#gateway = gateway;
    gateway.on('authOk', this.#listener);
  }

  /** Distinct connections that authenticated with each token, in the order the tokens appeared. */
  counts(): number[] {
    return [...this.connectionsByToken.values()].map((connections) => connections.size);
  }

  stop(): void {
    this.#gateway.off('authOk', this.#listener);
  }
}

/** Resolves once `count` tokens were acquired (`onAcquired` is called by the caller's event listener). */
export function afterTokens(count: number): { onAcquired(): void; done: Promise<void> } {
  let seen = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  return {
    onAcquired: () => {
      if (++seen >= count) resolve();
    },
    done,
  };
}

export async function waitFor(
  predicate: () => boolean,
  timeoutMs = 10_000,
  describe: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for a condition ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
