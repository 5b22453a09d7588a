import { randomUUID } from 'node:crypto';
import { DEFAULT_USER_OID, startEmulator } from '@authx/emulator';
import type { AuthorityConfig, MsalConfigOverrides } from '@authx/entraid';
import { azureAuthority, EMULATOR_TOKEN_LIFETIME_SEC, emulatorAuthority, requireEnv } from '@example/kit';

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
      authorityConfig: azureAuthority(env),
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
    ...emulatorAuthority(local),
    caPem: local.caPem,
    expectedUserOid: DEFAULT_USER_OID,
    tokenGrants: () =>
      local.entra.requests
        .filter((r) => r.endpoint === 'token' && r.status === 200)
        .map((r) => r.grantType ?? 'unknown'),
    stop: () => local.stop(),
  };
}
