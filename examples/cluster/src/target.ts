import { startEmulator } from '@authx/emulator';
import type { ClientSecretCredentialsParams } from '@authx/entraid';

/** Token lifetime of the emulator, in seconds: short, so that a ~8 s run sees several refreshes. */
const EMULATOR_TOKEN_LIFETIME_SEC = 3;

/** Where the example connects, and with which app registration. */
export interface Target {
  readonly mode: 'emulator' | 'azure';
  /** Seed nodes; the cluster client discovers the others. */
  readonly rootNodes: Array<{ url: string }>;
  readonly providerParams: ClientSecretCredentialsParams;
  /** The gateways' view in emulator mode (all nodes); undefined on Azure. */
  gatewayStats(): { authOk: number; evicted: number } | undefined;
  stop(): Promise<void>;
}

/**
 * Real Azure when REDIS_URL is set (comma-separated seed nodes; AZURE_CLIENT_ID,
 * AZURE_CLIENT_SECRET and AZURE_TENANT_ID required); otherwise a local 3-master Redis Cluster with
 * one token-checking gateway per node, and the Entra ID emulator.
 */
export async function startTarget(env: NodeJS.ProcessEnv): Promise<Target> {
  if (env.REDIS_URL) {
    return {
      mode: 'azure',
      rootNodes: env.REDIS_URL.split(',').map((url) => ({ url: url.trim() })),
      providerParams: {
        clientId: requireEnv(env, 'AZURE_CLIENT_ID'),
        clientSecret: requireEnv(env, 'AZURE_CLIENT_SECRET'),
        authorityConfig: { type: 'multi-tenant', tenantId: requireEnv(env, 'AZURE_TENANT_ID') },
      },
      gatewayStats: () => undefined,
      stop: async () => {},
    };
  }
  const local = await startEmulator({ tokenLifetimeSec: EMULATOR_TOKEN_LIFETIME_SEC, cluster: true });
  return {
    mode: 'emulator',
    rootNodes: local.rootNodes.map(({ url }) => ({ url })),
    providerParams: {
      clientId: local.clientId,
      clientSecret: local.clientSecret,
      authorityConfig: { type: 'custom', authorityUrl: local.authority },
      // Trust the emulator's CA in-process (on Azure, the system trust store is used).
      msalConfig: { system: { networkClient: local.entra.msalNetworkClient() } },
    },
    gatewayStats: () => local.gateway.stats(),
    stop: () => local.stop(),
  };
}

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is required when REDIS_URL is set (see README.md)`);
  return value;
}
