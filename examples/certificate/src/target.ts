import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClientCertificate, startEmulator } from '@authx/emulator';
import type { ClientCredentialsWithCertificateParams } from '@authx/entraid';
import {
  azureAuthority,
  azureTarget,
  EMULATOR_TOKEN_LIFETIME_SEC,
  emulatorAuthority,
  requireEnv,
  type Target,
} from '@example/kit';

/** Where the example connects, and the app registration with its certificate. */
export type CertificateTarget = Target<ClientCredentialsWithCertificateParams>;

/**
 * Real Azure when REDIS_URL is set (then AZURE_CLIENT_ID, AZURE_TENANT_ID and
 * AZURE_CLIENT_CERTIFICATE_PATH are required); otherwise a local emulator with a new app whose
 * certificate is generated for this run.
 */
export async function startTarget(env: NodeJS.ProcessEnv): Promise<CertificateTarget> {
  if (env.REDIS_URL) {
    return azureTarget(env.REDIS_URL, {
      clientId: requireEnv(env, 'AZURE_CLIENT_ID'),
      authorityConfig: azureAuthority(env),
      certificate: {
        certificate: requireEnv(env, 'AZURE_CLIENT_CERTIFICATE_PATH'),
        ...(env.AZURE_CLIENT_CERTIFICATE_PASSWORD
          ? { privateKeyPassphrase: env.AZURE_CLIENT_CERTIFICATE_PASSWORD }
          : {}),
      },
    });
  }

  const local = await startEmulator({ tokenLifetimeSec: EMULATOR_TOKEN_LIFETIME_SEC });
  // A new app registration with an uploaded certificate, as in the Azure portal.
  const certificate = await createClientCertificate({ commonName: 'authx certificate example' });
  const clientId = randomUUID();
  const app = local.entra.addApp({ clientId, certificates: [certificate.certPem] });
  // …and, as in the cache's Authentication blade, given a data access policy.
  await local.gateway.assignAccessPolicy({ objectId: app.objectId, accessPolicyName: 'Data Owner' });
  // Azure tools export certificate and key in one PEM file: use the same shape here.
  const dir = mkdtempSync(join(tmpdir(), 'authx-certificate-example-'));
  const pemPath = join(dir, 'client.pem');
  writeFileSync(pemPath, `${certificate.certPem}\n${certificate.keyPem}`, { mode: 0o600 });
  console.log(`registered app ${clientId} with certificate ${certificate.thumbprintSha256.slice(0, 16)}…`);
  return {
    mode: 'emulator',
    redisUrl: local.redisUrl,
    providerParams: { clientId, certificate: { certificate: pemPath }, ...emulatorAuthority(local) },
    gatewayStats: () => local.gateway.stats(),
    stop: async () => {
      rmSync(dir, { recursive: true, force: true });
      await local.stop();
    },
  };
}
