import type { LocalAzureRedis } from '@authx/emulator';
import type { AuthorityConfig, MsalConfigOverrides } from '@authx/entraid';

/** Token lifetime of the emulator, in seconds: short, so that a ~8 s run sees several refreshes. */
export const EMULATOR_TOKEN_LIFETIME_SEC = 3;

/** The gateway's counters the examples check. */
export interface GatewayStats {
  authOk: number;
  evicted: number;
}

/** Where an example connects, and with what it builds its provider. */
export interface Target<Params> {
  readonly mode: 'emulator' | 'azure';
  readonly redisUrl: string;
  /** What the example's provider (or credential) is built from. */
  readonly providerParams: Params;
  /** The gateway's view in emulator mode (all nodes of a cluster); undefined on Azure. */
  gatewayStats(): GatewayStats | undefined;
  stop(): Promise<void>;
}

/** A target on real Azure: nothing to stop, no gateway to ask. */
export function azureTarget<Params>(redisUrl: string, providerParams: Params): Target<Params> {
  return { mode: 'azure', redisUrl, providerParams, gatewayStats: () => undefined, stop: async () => {} };
}

/** The tenant of AZURE_TENANT_ID. */
export function azureAuthority(env: NodeJS.ProcessEnv): AuthorityConfig {
  return { type: 'multi-tenant', tenantId: requireEnv(env, 'AZURE_TENANT_ID') };
}

/** The emulator as authority, its CA trusted in-process (on Azure, the system trust store is used). */
export function emulatorAuthority(local: Pick<LocalAzureRedis, 'authority' | 'entra'>): {
  authorityConfig: AuthorityConfig;
  msalConfig: MsalConfigOverrides;
} {
  return {
    authorityConfig: { type: 'custom', authorityUrl: local.authority },
    msalConfig: { system: { networkClient: local.entra.msalNetworkClient() } },
  };
}

/** An environment variable that Azure mode needs; throws naming it when unset. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is required when REDIS_URL is set (see README.md)`);
  return value;
}
