import { startEmulator } from '@authx/emulator';
import type { ClientSecretCredentialsParams } from '@authx/entraid';

/** Token lifetime of the emulator, in seconds: short, so that a ~8 s run sees several refreshes. */
const EMULATOR_TOKEN_LIFETIME_SEC = 3;

/** Where the example connects, and with which app registration. */
export interface Target {
  readonly mode: 'emulator' | 'azure';
  readonly redisUrl: string;
  readonly providerParams: ClientSecretCredentialsParams;
  /** The gateway's view in emulator mode (evictions, accepted AUTHs); undefined on Azure. */
  gatewayStats(): { authOk: number; evicted: number } | undefined;
  stop(): Promise<void>;
}

/**
 * Real Azure when REDIS_URL is set (then AZURE_CLIENT_ID, AZURE_CLIENT_SECRET and AZURE_TENANT_ID
 * are required); otherwise a local emulator (Entra ID + token-checking Redis gateway).
 */
export async function startTarget(env: NodeJS.ProcessEnv): Promise<Target> {
  if (env.REDIS_URL) {
    return {
      mode: 'azure',
      redisUrl: env.REDIS_URL,
      providerParams: {
        clientId: requireEnv(env, 'AZURE_CLIENT_ID'),
        clientSecret: requireEnv(env, 'AZURE_CLIENT_SECRET'),
        authorityConfig: { type: 'multi-tenant', tenantId: requireEnv(env, 'AZURE_TENANT_ID') },
      },
      gatewayStats: () => undefined,
      stop: async () => {},
    };
  }
  const local = await startEmulator({ tokenLifetimeSec: EMULATOR_TOKEN_LIFETIME_SEC });
  return {
    mode: 'emulator',
    redisUrl: local.redisUrl,
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
