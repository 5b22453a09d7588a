import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  type EntraEmulator,
  type RedisGateway,
} from '@authx/emulator';
import { DefaultAzureCredential, WorkloadIdentityCredential } from '@azure/identity';
import { EntraIdCredentialsProviderFactory, REDIS_SCOPE_DEFAULT } from '../../src';
import { startShortLivedEmulator, tokenRequests } from '../helpers/emulator';
import { setTestEnv } from '../helpers/env';
import { RENEWED_IN_TIME, runThroughRotations, startGatewayFor } from '../helpers/rotation';

const CREDENTIAL_ENV = [
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_AUTHORITY_HOST',
];

describe('createForDefaultAzureCredential end to end (real @azure/identity)', () => {
  let emulator: EntraEmulator;
  let gateway: RedisGateway;
  let dir: string;
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    emulator = await startShortLivedEmulator();
    gateway = await startGatewayFor(emulator);
    dir = mkdtempSync(join(tmpdir(), 'entraid-wi-'));
  });

  afterEach(() => {
    restoreEnv?.();
    restoreEnv = undefined;
    emulator.clearRequests();
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await gateway?.stop();
    await emulator?.stop();
  });

  it.each([2, 3] as const)(
    'DefaultAzureCredential with a client-secret environment rotates tokens on RESP%i',
    async (RESP) => {
      restoreEnv = setTestEnv(
        {
          AZURE_TENANT_ID: emulator.tenantId,
          AZURE_CLIENT_ID: DEFAULT_CLIENT_ID,
          AZURE_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
          AZURE_AUTHORITY_HOST: emulator.authorityHost,
        },
        CREDENTIAL_ENV,
      );
      const credential = new DefaultAzureCredential(emulator.identityOptions());
      const provider = EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
        credential,
        scopes: REDIS_SCOPE_DEFAULT,
        tokenManagerConfig: { expirationRefreshRatio: 0.5 },
      });
      const outcome = await runThroughRotations(provider, gateway, { RESP });
      expect(outcome).toMatchObject({
        ...RENEWED_IN_TIME,
        commandsFailed: 0,
        evictions: 0,
        clientErrors: [],
      });
      expect(outcome.tokensAcquired).toBeGreaterThanOrEqual(4);
      expect(tokenRequests(emulator).every((r) => r.grantType === 'client_credentials')).toBe(true);
    },
  );

  it.each([
    ['DefaultAzureCredential', 2],
    ['WorkloadIdentityCredential', 3],
  ] as const)('%s with a workload identity environment rotates tokens on RESP%i', async (kind, RESP) => {
    const tokenFile = join(dir, `token-${kind}`);
    writeFileSync(tokenFile, await emulator.issueFederatedToken());
    restoreEnv = setTestEnv(
      {
        AZURE_TENANT_ID: emulator.tenantId,
        AZURE_CLIENT_ID: DEFAULT_CLIENT_ID,
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        AZURE_AUTHORITY_HOST: emulator.authorityHost,
      },
      CREDENTIAL_ENV,
    );
    const credential =
      kind === 'DefaultAzureCredential'
        ? new DefaultAzureCredential(emulator.identityOptions())
        : new WorkloadIdentityCredential(emulator.identityOptions());
    const provider = EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
      credential,
      scopes: REDIS_SCOPE_DEFAULT,
      tokenManagerConfig: { expirationRefreshRatio: 0.5 },
    });
    const outcome = await runThroughRotations(provider, gateway, { RESP });
    expect(outcome).toMatchObject({ ...RENEWED_IN_TIME, commandsFailed: 0, evictions: 0, clientErrors: [] });
    const assertionGrants = tokenRequests(emulator).filter((r) => r.grantType === 'client_credentials');
    expect(assertionGrants.length).toBeGreaterThanOrEqual(4);
  });

  it('reports a wrong secret as a permanent error after one token request', async () => {
    restoreEnv = setTestEnv(
      {
        AZURE_TENANT_ID: emulator.tenantId,
        AZURE_CLIENT_ID: DEFAULT_CLIENT_ID,
        AZURE_CLIENT_SECRET: 'wrong-secret-value',
        AZURE_AUTHORITY_HOST: emulator.authorityHost,
      },
      CREDENTIAL_ENV,
    );
    const provider = EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
      credential: new DefaultAzureCredential(emulator.identityOptions()),
      scopes: REDIS_SCOPE_DEFAULT,
      tokenManagerConfig: { retry: { maxAttempts: 3, initialDelayMs: 10 } },
    });
    const error = await provider.subscribe({ onNext() {}, onError() {} }).catch((e: unknown) => e);
    provider.dispose();
    expect(error).toMatchObject({ reason: 'permanent-error', attempts: 1 });
    expect(tokenRequests(emulator)).toHaveLength(1);
  });
});
