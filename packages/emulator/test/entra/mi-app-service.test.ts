import { ManagedIdentityApplication, ServerError } from '@azure/msal-node';
import {
  DEFAULT_SYSTEM_MI_CLIENT_ID,
  DEFAULT_SYSTEM_MI_OBJECT_ID,
  DEFAULT_TENANT_ID,
  DEFAULT_USER_MI_CLIENT_ID,
  DEFAULT_USER_MI_OBJECT_ID,
  DEFAULT_USER_MI_RESOURCE_ID,
  type EntraEmulator,
  MANAGED_IDENTITY_ENV_VARS,
  startEntraEmulator,
} from '../../src';
import { verifyWithJwks } from './support/verify-token';

// MSAL's managed identity state (source, endpoint, internal retries) is process-global and fixed by
// the first acquireToken: this file only uses App Service with MSAL's internal retries on (jest gives
// each test file its own module registry and its own copy of process.env).
describe('Entra emulator › managed identity, App Service source (MSAL ManagedIdentityApplication)', () => {
  let emulator: EntraEmulator;

  beforeAll(async () => {
    emulator = await startEntraEmulator({ managedIdentities: undefined, tokenLifetimeSec: 86400 });
    for (const name of MANAGED_IDENTITY_ENV_VARS) delete process.env[name];
    Object.assign(process.env, emulator.managedIdentityEnv('app-service'));
  });
  afterAll(() => emulator.stop());

  it('issues a system-assigned identity token for Redis with expires_on', async () => {
    const mi = new ManagedIdentityApplication();
    expect(await mi.getManagedIdentitySource()).toBe('AppService');
    const result = await mi.acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true });
    expect(emulator.requests.at(-1)).toMatchObject({
      endpoint: 'mi',
      managedIdentitySource: 'app-service',
      status: 200,
      method: 'GET',
      path: '/msi/token',
    });
    const claims = await verifyWithJwks(emulator, result.accessToken, {
      audience: 'https://redis.azure.com',
    });
    expect(claims).toMatchObject({
      appid: DEFAULT_SYSTEM_MI_CLIENT_ID,
      oid: DEFAULT_SYSTEM_MI_OBJECT_ID,
      sub: DEFAULT_SYSTEM_MI_OBJECT_ID,
      tid: DEFAULT_TENANT_ID,
      idtyp: 'app',
      iss: `https://sts.windows.net/${DEFAULT_TENANT_ID}/`,
    });
    // A 24 h token, as Azure issues to managed identities.
    expect(result.expiresOn!.getTime() - Date.now()).toBeGreaterThan(86_000_000);
  });

  it.each([
    ['client id', { userAssignedClientId: DEFAULT_USER_MI_CLIENT_ID }],
    ['object id', { userAssignedObjectId: DEFAULT_USER_MI_OBJECT_ID }],
    ['resource id', { userAssignedResourceId: DEFAULT_USER_MI_RESOURCE_ID }],
  ])('issues a user-assigned identity token selected by %s', async (_by, managedIdentityIdParams) => {
    const mi = new ManagedIdentityApplication({ managedIdentityIdParams });
    const result = await mi.acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true });
    const claims = await verifyWithJwks(emulator, result.accessToken);
    expect(claims).toMatchObject({
      appid: DEFAULT_USER_MI_CLIENT_ID,
      oid: DEFAULT_USER_MI_OBJECT_ID,
      xms_mirid: DEFAULT_USER_MI_RESOURCE_ID,
    });
  });

  it('gives MSAL the same token on forceRefresh, as Azure’s endpoint does until close to expiry', async () => {
    const mi = new ManagedIdentityApplication();
    emulator.clearRequests();
    const first = await mi.acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true });
    const second = await mi.acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true });
    // Both calls reached the endpoint (forceRefresh skips MSAL's cache), one token came back.
    expect(
      emulator.requests.filter((r) => r.endpoint === 'mi' && r.status === 200).length,
    ).toBeGreaterThanOrEqual(2);
    expect(second.accessToken).toBe(first.accessToken);
    expect(second.expiresOn).toEqual(first.expiresOn);
  });

  it('answers an unknown user-assigned identity with an App Service error body (ServerError, status 400)', async () => {
    const mi = new ManagedIdentityApplication({
      managedIdentityIdParams: { userAssignedClientId: '00000000-dead-4000-8000-000000000000' },
    });
    const error = await mi
      .acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message).toContain('No User Assigned or Delegated Managed Identity found');
  });

  it('is retried by MSAL (3× at 1 s) through three injected 503s and then succeeds', async () => {
    emulator.clearRequests();
    emulator.faults.inject({ endpoint: 'mi', times: 3, status: 503 });
    const mi = new ManagedIdentityApplication({
      managedIdentityIdParams: { userAssignedClientId: DEFAULT_USER_MI_CLIENT_ID },
    });
    const result = await mi.acquireToken({ resource: 'https://redis.azure.com', forceRefresh: true });
    expect(result.accessToken).not.toBe('');
    expect(emulator.requests.map((r) => [r.status, r.faulted])).toEqual([
      [503, true],
      [503, true],
      [503, true],
      [200, false],
    ]);
  });
});
