import { randomUUID } from 'node:crypto';
import { DEFAULT_USER_OID, startEmulator } from '@authx/emulator';
import type { AuthorityConfig, MsalConfigOverrides } from '@authx/entraid';

/** Token lifetime of the emulator, in seconds: short, so that a ~8 s run sees several refreshes. */
const EMULATOR_TOKEN_LIFETIME_SEC = 3;

/** The app registration, Redis, and (emulator mode) what a self-test can check. */
export interface Target {
  readonly mode: 'emulator' | 'azure';
  readonly redisUrl: string;
  readonly clientId: string;
  readonly authorityConfig: AuthorityConfig;
  readonly msalConfig?: MsalConfigOverrides;
  /** Emulator mode: the CA a client of the authorize endpoint must trust. */
  readonly caPem?: string;
  /** Emulator mode: the object id of the user the emulator signs in. */
  readonly expectedUserOid?: string;
  /** Emulator mode: grant types of the successful token requests, oldest first. */
  tokenGrants(): string[] | undefined;
  stop(): Promise<void>;
}

/**
 * Real Azure when REDIS_URL is set (then AZURE_CLIENT_ID and AZURE_TENANT_ID are required; the
 * app registration needs the redirect URI http://127.0.0.1/callback on the "Mobile and desktop
 * applications" platform). Otherwise a local emulator with a public client app registered for it.
 */
export async function startTarget(env: NodeJS.ProcessEnv): Promise<Target> {
  if (env.REDIS_URL) {
    return {
      mode: 'azure',
      redisUrl: env.REDIS_URL,
      clientId: requireEnv(env, 'AZURE_CLIENT_ID'),
      authorityConfig: { type: 'multi-tenant', tenantId: requireEnv(env, 'AZURE_TENANT_ID') },
      tokenGrants: () => undefined,
      stop: async () => {},
    };
  }
  const local = await startEmulator({ tokenLifetimeSec: EMULATOR_TOKEN_LIFETIME_SEC });
  const clientId = randomUUID();
  // Loopback redirect URIs match on any port, as Entra does for native apps.
  local.entra.addApp({ clientId, publicClient: true, redirectUris: ['http://127.0.0.1/callback'] });
  return {
    mode: 'emulator',
    redisUrl: local.redisUrl,
    clientId,
    authorityConfig: { type: 'custom', authorityUrl: local.authority },
    // Trust the emulator's CA in-process (on Azure, the system trust store is used).
    msalConfig: { system: { networkClient: local.entra.msalNetworkClient() } },
    caPem: local.caPem,
    expectedUserOid: DEFAULT_USER_OID,
    tokenGrants: () =>
      local.entra.requests
        .filter((r) => r.endpoint === 'token' && r.status === 200)
        .map((r) => r.grantType ?? 'unknown'),
    stop: () => local.stop(),
  };
}

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is required when REDIS_URL is set (see README.md)`);
  return value;
}
