import { type LocalAzureRedis, type RedisGateway, startEmulator } from '@authx/emulator';
import type { ContenderId, WorkerConfig } from './protocol';
import { WorkerHandle } from './worker-handle';

/**
 * One user-assigned managed identity per contender, so every gateway event and IdP request can be
 * told apart by identity (`oid`) or client id even when two contenders' workers are alive at once.
 */
export const IDENTITIES: Readonly<Record<ContenderId, { clientId: string; objectId: string }>> = {
  authx: {
    clientId: 'a0000000-0000-4000-8000-00000000c001',
    objectId: 'a0000000-0000-4000-8000-00000000d001',
  },
  'redis-entraid': {
    clientId: 'a0000000-0000-4000-8000-00000000c002',
    objectId: 'a0000000-0000-4000-8000-00000000d002',
  },
  static: {
    clientId: 'a0000000-0000-4000-8000-00000000c003',
    objectId: 'a0000000-0000-4000-8000-00000000d003',
  },
};

/** Lifetime of the static contender's token, in seconds: longer than any run ("never expires"). */
const STATIC_TOKEN_LIFETIME_SEC = 24 * 3600;

/** The emulator every contender talks to, and how to start a contender's worker against it. */
export interface BenchEnv {
  readonly local: LocalAzureRedis<RedisGateway>;
  readonly tokenLifetimeSec: number;
  startWorker(contender: ContenderId): Promise<WorkerHandle>;
  stop(): Promise<void>;
}

export async function startBenchEnv(tokenLifetimeSec: number): Promise<BenchEnv> {
  // A new managed identity token per request (a leniency: Azure returns the same token until close
  // to expiry): the bench measures how fast a new token reaches every connection, so each refresh
  // must bring one. (With Azure's caching, authx skips the repeats — no AUTH at all — while
  // @redis/entraid re-sends the same token to every connection; that is a behaviour difference,
  // tested in the packages, not a speed one.)
  const local = await startEmulator({ tokenLifetimeSec, entra: { managedIdentityTokenCache: false } });
  try {
    for (const identity of Object.values(IDENTITIES)) {
      const { objectId } = local.entra.addManagedIdentity({ kind: 'user', ...identity });
      await local.gateway.assignAccessPolicy({ objectId, accessPolicyName: 'Data Owner' });
    }
    const staticToken = await local.issueAccessToken({
      kind: 'managed-identity',
      clientId: IDENTITIES.static.clientId,
      lifetimeSec: STATIC_TOKEN_LIFETIME_SEC,
    });
    return {
      local,
      tokenLifetimeSec,
      startWorker(contender) {
        const config: WorkerConfig = {
          contender,
          redisUrl: local.redisUrl,
          managedIdentityClientId: IDENTITIES[contender].clientId,
          ...(contender === 'static'
            ? { staticCredentials: { username: staticToken.oid, password: staticToken.accessToken } }
            : {}),
        };
        // Both token-based contenders use MSAL's App Service managed identity source (plain http).
        return WorkerHandle.start(
          config,
          contender === 'static' ? {} : local.managedIdentityEnv('app-service'),
        );
      },
      stop: () => local.stop(),
    };
  } catch (error) {
    await local.stop();
    throw error;
  }
}
