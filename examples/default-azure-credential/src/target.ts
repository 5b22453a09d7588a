import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '@authx/emulator';
import type { DefaultAzureCredentialOptions } from '@azure/identity';
import { azureTarget, EMULATOR_TOKEN_LIFETIME_SEC, type Target } from '@example/kit';

/** Variables of the workload identity environment AKS injects into a pod (and this example sets). */
const WORKLOAD_IDENTITY_ENV = [
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_AUTHORITY_HOST',
];
/** Variables that would make DefaultAzureCredential pick another credential first (cleared during the run). */
const OTHER_CREDENTIAL_ENV = [
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'AZURE_USERNAME',
  'AZURE_PASSWORD',
];

/** Where the example connects; `providerParams` are the options for DefaultAzureCredential. */
export interface WorkloadIdentityTarget extends Target<DefaultAzureCredentialOptions> {
  /** Emulator mode: the Entra token requests that succeeded; undefined on Azure. */
  tokenRequests(): number | undefined;
}

/**
 * Real Azure when REDIS_URL is set: DefaultAzureCredential reads whatever the environment offers
 * (workload identity, AZURE_CLIENT_SECRET, managed identity, Azure CLI login, …). Otherwise a local
 * emulator, and the environment of an AKS pod with workload identity: a federated token file
 * signed by the emulator's "cluster" issuer, exchanged for an Entra token by the credential.
 */
export async function startTarget(env: NodeJS.ProcessEnv): Promise<WorkloadIdentityTarget> {
  if (env.REDIS_URL) {
    return {
      ...azureTarget<DefaultAzureCredentialOptions>(env.REDIS_URL, {}),
      tokenRequests: () => undefined,
    };
  }
  const local = await startEmulator({ tokenLifetimeSec: EMULATOR_TOKEN_LIFETIME_SEC });
  const dir = mkdtempSync(join(tmpdir(), 'authx-workload-identity-'));
  const tokenFile = join(dir, 'azure-identity-token');
  // The projected service-account token Kubernetes writes (subject system:serviceaccount:default:workload).
  writeFileSync(tokenFile, await local.entra.issueFederatedToken());
  const saved = Object.fromEntries(
    [...WORKLOAD_IDENTITY_ENV, ...OTHER_CREDENTIAL_ENV].map((name) => [name, env[name]]),
  );
  for (const name of OTHER_CREDENTIAL_ENV) delete env[name];
  Object.assign(env, {
    AZURE_CLIENT_ID: local.clientId,
    AZURE_TENANT_ID: local.tenantId,
    AZURE_FEDERATED_TOKEN_FILE: tokenFile,
    AZURE_AUTHORITY_HOST: local.authorityHost,
  });
  console.log(`workload identity: AZURE_CLIENT_ID=${local.clientId} AZURE_FEDERATED_TOKEN_FILE=${tokenFile}`);
  return {
    mode: 'emulator',
    redisUrl: local.redisUrl,
    // authorityHost, the emulator CA for the credential's HTTP pipeline, no instance discovery.
    providerParams: local.identityOptions(),
    gatewayStats: () => local.gateway.stats(),
    tokenRequests: () =>
      local.entra.requests.filter((r) => r.endpoint === 'token' && r.status === 200).length,
    stop: async () => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete env[name];
        else env[name] = value;
      }
      rmSync(dir, { recursive: true, force: true });
      await local.stop();
    },
  };
}
