import {
  type AwsContainerCredentialsEndpoint,
  AwsCredentialStore,
  type RedisGateway,
  startAwsContainerCredentialsEndpoint,
  startServiceGateway,
} from '@authx/emulator';
import type { RedisAuth } from '@authx/redis-auth';
import { createClient } from 'redis';

export type Client = ReturnType<typeof createClient>;

export interface AwsStack {
  readonly store: AwsCredentialStore;
  readonly endpoint: AwsContainerCredentialsEndpoint;
  readonly gateway: RedisGateway;
  stop(): Promise<void>;
}

/** The emulated IAM, a rotating container credentials endpoint and an ElastiCache / MemoryDB gateway. */
export async function startAwsStack(options: {
  profile: 'elasticache' | 'memorydb';
  name: string;
  region: string;
  credentialsLifetimeMs?: number;
  rotateAfterMs?: number;
  maxConnectionAgeMs?: number;
  serverless?: boolean;
}): Promise<AwsStack> {
  const store = new AwsCredentialStore();
  const endpoint = await startAwsContainerCredentialsEndpoint({
    store,
    credentialsLifetimeMs: options.credentialsLifetimeMs ?? 3_600_000,
    rotateAfterMs: options.rotateAfterMs,
  });
  const gateway = await startServiceGateway(
    options.profile === 'elasticache'
      ? {
          profile: 'elasticache',
          cacheName: options.name,
          region: options.region,
          credentials: store,
          maxConnectionAgeMs: options.maxConnectionAgeMs,
          serverless: options.serverless,
        }
      : {
          profile: 'memorydb',
          clusterName: options.name,
          region: options.region,
          credentials: store,
          maxConnectionAgeMs: options.maxConnectionAgeMs,
        },
  );
  return {
    store,
    endpoint,
    gateway,
    stop: async () => {
      await gateway.stop();
      await endpoint.stop();
    },
  };
}

/** Sets environment variables for the duration of a test file; returns the restore function. */
export function setEnv(values: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(values);
  return () => apply(previous);
}

/** `count` bound clients against `url`, connected. */
export async function connectClients(
  auth: RedisAuth,
  url: string,
  count: number,
  resp: 2 | 3 = 3,
): Promise<Client[]> {
  const clients = Array.from(
    { length: count },
    (_, i) =>
      auth.bind(
        createClient({ url, RESP: resp, credentialsProvider: auth, maintNotifications: 'disabled' } as never),
        {
          label: `c${i}`,
        },
      ) as unknown as Client,
  );
  for (const client of clients) client.on('error', () => undefined);
  await Promise.all(clients.map((client) => client.connect()));
  return clients;
}

/** Runs SET/GET on every client until `durationMs` passed; returns the counts. */
export async function runLoad(
  clients: Client[],
  durationMs: number,
): Promise<{ ok: number; failed: number; errors: string[] }> {
  const until = Date.now() + durationMs;
  let ok = 0;
  let failed = 0;
  const errors: string[] = [];
  await Promise.all(
    clients.map(async (client, i) => {
      let n = 0;
      while (Date.now() < until) {
        try {
          await client.set(`k${i}`, String(n));
          if ((await client.get(`k${i}`)) !== String(n)) throw new Error('wrong value');
          ok++;
        } catch (error) {
          failed++;
          if (errors.length < 5) errors.push(String(error));
        }
        n++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }),
  );
  return { ok, failed, errors };
}

export async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
