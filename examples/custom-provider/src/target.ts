import { randomBytes } from 'node:crypto';
import { startRedisServer } from '@authx/emulator';
import { startVault } from './vault-server';

/** How long a leased password works, in milliseconds: short, so that a ~8 s run sees several rotations. */
const LEASE_MS = 3000;

/** The Redis server and the vault the app uses. */
export interface Target {
  readonly mode: 'local' | 'external';
  readonly redisUrl: string;
  readonly vaultUrl: string;
  /** Local mode: passwords leased and revoked by the vault. */
  vaultCounts(): { leased: number; revoked: number } | undefined;
  stop(): Promise<void>;
}

/**
 * REDIS_URL + VAULT_URL (any service answering `POST /v1/redis/creds` like ./vault-server.ts) when
 * both are set; otherwise a private redis-server whose `default` user needs an admin password only
 * the vault knows, and the vault.
 */
export async function startTarget(env: NodeJS.ProcessEnv): Promise<Target> {
  if (env.REDIS_URL && env.VAULT_URL) {
    return {
      mode: 'external',
      redisUrl: env.REDIS_URL,
      vaultUrl: env.VAULT_URL,
      vaultCounts: () => undefined,
      stop: async () => {},
    };
  }
  const adminPassword = randomBytes(24).toString('base64url');
  const redis = await startRedisServer({ args: ['--requirepass', adminPassword] });
  try {
    const vault = await startVault({ redisUrl: redis.url, adminPassword, leaseMs: LEASE_MS });
    return {
      mode: 'local',
      redisUrl: redis.url,
      vaultUrl: vault.url,
      vaultCounts: () => vault.counts(),
      stop: async () => {
        await vault.stop();
        await redis.stop();
      },
    };
  } catch (error) {
    await redis.stop();
    throw error;
  }
}
