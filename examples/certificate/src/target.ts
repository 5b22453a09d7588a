import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientCertificate, startEmulator } from '@authx/emulator';
import type { ClientCredentialsWithCertificateParams } from '@authx/entraid';

/** Token lifetime of the emulator, in seconds: short, so that a ~8 s run sees several refreshes. */
const EMULATOR_TOKEN_LIFETIME_SEC = 3;

/** Where the example connects, and with which app registration. */
export interface Target {
  readonly mode: 'emulator' | 'azure';
  readonly redisUrl: string;
  readonly providerParams: ClientCredentialsWithCertificateParams;
  /** The gateway's view in emulator mode; undefined on Azure. */
  gatewayStats(): { authOk: number; evicted: number } | undefined;
  stop(): Promise<void>;
}

/**
 * Real Azure when REDIS_URL is set (then AZURE_CLIENT_ID, AZURE_TENANT_ID and
 * AZURE_CLIENT_CERTIFICATE_PATH are required); otherwise a local emulator with a new app whose
 * certificate is generated for this run.
 */
export async function startTarget(env: NodeJS.ProcessEnv): Promise<Target> {
  if (env.REDIS_URL) {
    return {
      mode: 'azure',
      redisUrl: env.REDIS_URL,
      providerParams: {
        clientId: requireEnv(env, 'AZURE_CLIENT_ID'),
        authorityConfig: { type: 'multi-tenant', tenantId: requireEnv(env, 'AZURE_TENANT_ID') },
        certificate: {
          certificate: requireEnv(env, 'AZURE_CLIENT_CERTIFICATE_PATH'),
          ...(env.AZURE_CLIENT_CERTIFICATE_PASSWORD
            ? { privateKeyPassphrase: env.AZURE_CLIENT_CERTIFICATE_PASSWORD }
            : {}),
        },
      },
      gatewayStats: () => undefined,
      stop: async () => {},
    };
  }

  const local = await startEmulator({ tokenLifetimeSec: EMULATOR_TOKEN_LIFETIME_SEC });
  // A new app registration with an uploaded certificate, as in the Azure portal.
  const certificate = await createClientCertificate({ commonName: 'authx certificate example' });
  const clientId = randomUUID();
  local.entra.addApp({ clientId, certificates: [certificate.certPem] });
  // Azure tools export certificate and key in one PEM file: use the same shape here.
  const dir = mkdtempSync(join(tmpdir(), 'authx-certificate-example-'));
  const pemPath = join(dir, 'client.pem');
  writeFileSync(pemPath, `${certificate.certPem}\n${certificate.keyPem}`, { mode: 0o600 });
  console.log(`registered app ${clientId} with certificate ${certificate.thumbprintSha256.slice(0, 16)}…`);
  return {
    mode: 'emulator',
    redisUrl: local.redisUrl,
    providerParams: {
      clientId,
      authorityConfig: { type: 'custom', authorityUrl: local.authority },
      certificate: { certificate: pemPath },
      // Trust the emulator's CA in-process (on Azure, the system trust store is used).
      msalConfig: { system: { networkClient: local.entra.msalNetworkClient() } },
    },
    gatewayStats: () => local.gateway.stats(),
    stop: async () => {
      rmSync(dir, { recursive: true, force: true });
      await local.stop();
    },
  };
}

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is required when REDIS_URL is set (see README.md)`);
  return value;
}
