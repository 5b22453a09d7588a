import { ManagedIdentityApplication, ServerError } from '@azure/msal-node';
import {
  DEFAULT_SYSTEM_MI_OBJECT_ID,
  DEFAULT_USER_MI_CLIENT_ID,
  DEFAULT_USER_MI_OBJECT_ID,
  DEFAULT_USER_MI_RESOURCE_ID,
  type EntraEmulator,
  MANAGED_IDENTITY_ENV_VARS,
  startEntraEmulator,
} from '../../src';
import { verifyWithJwks } from './support/verify-token';

// MSAL's managed identity state is process-global: this file only uses the IMDS source, with
// internal retries off (jest gives each test file its own module registry and copy of process.env).
describe('Entra emulator › managed identity, IMDS source (MSAL ManagedIdentityApplication)', () => {
  let emulator: EntraEmulator;
  const system = { disableInternalRetries: true };

  beforeAll(async () => {
    emulator = await startEntraEmulator({ tokenLifetimeSec: 2 });
    for (const name of MANAGED_IDENTITY_ENV_VARS) delete process.env[name];
    Object.assign(process.env, emulator.managedIdentityEnv('imds'));
  });
  afterAll(() => emulator.stop());

  it('issues a system-assigned identity token through /metadata/identity/oauth2/token', async () => {
    const mi = new ManagedIdentityApplication({ system });
    // IMDS is MSAL's fallback source, reported as DefaultToImds even when AZURE_POD_IDENTITY_AUTHORITY_HOST is set.
    expect(await mi.getManagedIdentitySource()).toBe('DefaultToImds');
    const result = await mi.acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true });
    expect(emulator.requests.at(-1)).toMatchObject({
      endpoint: 'mi',
      managedIdentitySource: 'imds',
      status: 200,
    });
    const claims = await verifyWithJwks(emulator, result.accessToken, {
      audience: 'https://redis.azure.com',
    });
    expect(claims.oid).toBe(DEFAULT_SYSTEM_MI_OBJECT_ID);
    // tokenLifetimeSec: 2 → exp is 2–3 s after iat.
    expect([2, 3]).toContain((claims.exp ?? 0) - (claims.iat ?? 0));
  });

  it.each([
    ['client id', { userAssignedClientId: DEFAULT_USER_MI_CLIENT_ID }],
    ['object id', { userAssignedObjectId: DEFAULT_USER_MI_OBJECT_ID }],
    ['resource id (msi_res_id)', { userAssignedResourceId: DEFAULT_USER_MI_RESOURCE_ID }],
  ])('issues a user-assigned identity token selected by %s', async (_by, managedIdentityIdParams) => {
    const mi = new ManagedIdentityApplication({ managedIdentityIdParams, system });
    const result = await mi.acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true });
    expect(await verifyWithJwks(emulator, result.accessToken)).toMatchObject({
      appid: DEFAULT_USER_MI_CLIENT_ID,
      oid: DEFAULT_USER_MI_OBJECT_ID,
    });
  });

  it('answers an unknown identity with an IMDS error body (ServerError with errorCode from `error`)', async () => {
    const mi = new ManagedIdentityApplication({
      managedIdentityIdParams: { userAssignedObjectId: '00000000-dead-4000-8000-000000000000' },
      system,
    });
    const error = await mi
      .acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: 'invalid_request', status: 400 });
  });

  it('surfaces an injected 500 with an empty `{}` body as an empty access token, as real MSAL does', async () => {
    emulator.faults.inject({ endpoint: 'mi', status: 500, body: {} });
    const mi = new ManagedIdentityApplication({ system });
    const result = await mi.acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true });
    expect(result.accessToken).toBe('');
  });
});
