import { startEmulator } from '@authx/emulator';
import type { ClientSecretCredentialsParams } from '@authx/entraid';
import {
  azureAuthority,
  azureTarget,
  EMULATOR_TOKEN_LIFETIME_SEC,
  emulatorAuthority,
  requireEnv,
  type Target,
} from './target';

/** A target for an app registration with a client secret. */
export interface ClientSecretTarget extends Target<ClientSecretCredentialsParams> {
  /** Seed nodes of a cluster (the cluster client discovers the others); the one node otherwise. */
  readonly rootNodes: Array<{ url: string }>;
}

/**
 * Real Azure when REDIS_URL is set (with `cluster`, comma-separated seed nodes; AZURE_CLIENT_ID,
 * AZURE_CLIENT_SECRET and AZURE_TENANT_ID required); otherwise a local emulator: Entra ID and a
 * token-checking Redis gateway (with `cluster`, a 3-master Redis Cluster with a gateway per node).
 */
export async function startClientSecretTarget(
  env: NodeJS.ProcessEnv,
  { cluster = false }: { cluster?: boolean } = {},
): Promise<ClientSecretTarget> {
  if (env.REDIS_URL) {
    const target = azureTarget<ClientSecretCredentialsParams>(env.REDIS_URL, {
      clientId: requireEnv(env, 'AZURE_CLIENT_ID'),
      clientSecret: requireEnv(env, 'AZURE_CLIENT_SECRET'),
      authorityConfig: azureAuthority(env),
    });
    const urls = cluster ? env.REDIS_URL.split(',').map((url) => url.trim()) : [env.REDIS_URL];
    return { ...target, rootNodes: urls.map((url) => ({ url })) };
  }
  const local = await startEmulator({ tokenLifetimeSec: EMULATOR_TOKEN_LIFETIME_SEC, cluster });
  return {
    mode: 'emulator',
    redisUrl: local.redisUrl,
    rootNodes: local.rootNodes.map(({ url }) => ({ url })),
    providerParams: {
      clientId: local.clientId,
      clientSecret: local.clientSecret,
      ...emulatorAuthority(local),
    },
    gatewayStats: () => local.gateway.stats(),
    stop: () => local.stop(),
  };
}
