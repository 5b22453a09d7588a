import { DEFAULT_SYSTEM_MI_OBJECT_ID, type EntraEmulator, type RedisGateway } from '@authx/emulator';
import { DefaultAzureCredential } from '@azure/identity';
import { EntraIdCredentialsProviderFactory, REDIS_SCOPE_DEFAULT } from '../../src';
import {
  managedIdentityRequests,
  CACHED_MI_ROTATIONS,
  CACHED_MI_TOKEN_LIFETIME_SEC,
  startShortLivedEmulator,
} from '../helpers/emulator';
import { setTestEnv } from '../helpers/env';
import { RENEWED_IN_TIME, runThroughRotations, startGatewayFor } from '../helpers/rotation';

// @azure/identity's managed identity runs on its own (process-global) MSAL state: own file.
describe('createForDefaultAzureCredential end to end: DefaultAzureCredential on a managed identity', () => {
  let emulator: EntraEmulator;
  let gateway: RedisGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startShortLivedEmulator({ tokenLifetimeSec: CACHED_MI_TOKEN_LIFETIME_SEC });
    restoreEnv = setTestEnv(emulator.managedIdentityEnv('app-service'), [
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_ID',
      'AZURE_CLIENT_SECRET',
      'AZURE_FEDERATED_TOKEN_FILE',
      'IDENTITY_ENDPOINT',
      'IDENTITY_HEADER',
      'IMDS_ENDPOINT',
      'MSI_ENDPOINT',
      'AZURE_POD_IDENTITY_AUTHORITY_HOST',
    ]);
    gateway = await startGatewayFor(emulator);
  });

  afterAll(async () => {
    restoreEnv?.();
    await gateway?.stop();
    await emulator?.stop();
  });

  it.each([2, 3] as const)('rotates tokens on RESP%i with the system-assigned identity', async (RESP) => {
    const provider = EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
      credential: new DefaultAzureCredential(),
      scopes: REDIS_SCOPE_DEFAULT,
      tokenManagerConfig: { expirationRefreshRatio: 0.5 },
    });
    const outcome = await runThroughRotations(provider, gateway, { RESP, ...CACHED_MI_ROTATIONS });
    // The endpoint's cache answered with the token already held, and nothing was re-sent.
    expect(outcome.tokenRepeats).toBeGreaterThan(0);
    expect(outcome).toMatchObject({
      ...RENEWED_IN_TIME,
      commandsFailed: 0,
      evictions: 0,
      clientErrors: [],
      identities: [DEFAULT_SYSTEM_MI_OBJECT_ID],
    });
    expect(managedIdentityRequests(emulator).length).toBeGreaterThanOrEqual(4);
  });
});
