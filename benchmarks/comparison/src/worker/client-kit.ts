import { EntraIdCredentialsProviderFactory as AuthxFactory } from '@authx/entraid';
import { createRedisAuth, type RedisAuth } from '@authx/redis-auth';
import {
  DEFAULT_TOKEN_MANAGER_CONFIG as REDIS_ENTRAID_DEFAULTS,
  EntraIdCredentialsProviderFactory as RedisEntraidFactory,
} from '@redis/entraid';
import { createClient } from 'redis';
import type { WorkerConfig } from '../protocol';

export type BenchClient = ReturnType<typeof createClient<{}, {}, {}, 2 | 3>>;

/**
 * Builds clients the way each contender documents it, against one credentials provider per kit:
 * - authx: `@authx/entraid` provider, one `@authx/redis-auth` binding, `auth.bind(client)`;
 * - @redis/entraid: its provider as node-redis `credentialsProvider`;
 * - static: a never-expiring token as plain `username` / `password`.
 */
export interface ClientKit {
  newClient(RESP: 2 | 3): BenchClient;
  /** Releases the binding / provider (the worker process exits afterwards anyway). */
  dispose(): void;
}

/**
 * Both providers refresh at 70 % of the token's lifetime. @redis/entraid's default does exactly
 * that; authx's default would refresh 3 s tokens at half their life with jitter, so its
 * lower bound and jitter are switched off to give both the same schedule.
 */
const AUTHX_TOKEN_MANAGER_CONFIG = { expirationRefreshRatio: 0.7, lowerRefreshBoundMs: 0, refreshJitterMs: 0 };

export function createClientKit(config: WorkerConfig, onClientError: (error: Error) => void): ClientKit {
  const make = (RESP: 2 | 3, extra: Record<string, unknown>): BenchClient => {
    const client = createClient({ url: config.redisUrl, RESP, ...extra }) as unknown as BenchClient;
    client.on('error', onClientError);
    return client;
  };
  switch (config.contender) {
    case 'authx': {
      const provider = AuthxFactory.createForUserAssignedManagedIdentity({
        userAssignedClientId: config.managedIdentityClientId,
        tokenManagerConfig: AUTHX_TOKEN_MANAGER_CONFIG,
      });
      const auth: RedisAuth = createRedisAuth(provider);
      return {
        newClient: (RESP) => auth.bind(make(RESP, {})),
        dispose: () => {
          auth.dispose();
          provider.dispose();
        },
      };
    }
    case 'redis-entraid': {
      const provider = RedisEntraidFactory.createForUserAssignedManagedIdentity({
        clientId: config.managedIdentityClientId,
        userAssignedClientId: config.managedIdentityClientId,
        tokenManagerConfig: REDIS_ENTRAID_DEFAULTS,
      });
      return {
        newClient: (RESP) => make(RESP, { credentialsProvider: provider }),
        // @redis/entraid has no dispose: its refresh loop stops when the last listener leaves.
        dispose: () => undefined,
      };
    }
    case 'static': {
      const credentials = config.staticCredentials;
      if (!credentials) throw new Error('the static contender needs staticCredentials');
      return {
        newClient: (RESP) => make(RESP, { username: credentials.username, password: credentials.password }),
        dispose: () => undefined,
      };
    }
  }
}
