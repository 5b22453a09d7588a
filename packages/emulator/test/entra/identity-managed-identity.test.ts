import {
  CredentialUnavailableError,
  DefaultAzureCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { decodeJwt } from 'jose';
import {
  DEFAULT_SYSTEM_MI_OBJECT_ID,
  DEFAULT_USER_MI_CLIENT_ID,
  DEFAULT_USER_MI_OBJECT_ID,
  type EntraEmulator,
  MANAGED_IDENTITY_ENV_VARS,
  startEntraEmulator,
} from '../../src';

const REDIS_SCOPE = 'https://redis.azure.com/.default';

// @azure/identity's managed identity state (inside its own MSAL) is process-global: App Service only here.
describe('Entra emulator › @azure/identity managed identity (App Service environment)', () => {
  let emulator: EntraEmulator;

  beforeAll(async () => {
    emulator = await startEntraEmulator();
    for (const name of [
      ...MANAGED_IDENTITY_ENV_VARS,
      'AZURE_CLIENT_ID',
      'AZURE_TENANT_ID',
      'AZURE_CLIENT_SECRET',
      'AZURE_FEDERATED_TOKEN_FILE',
    ]) {
      delete process.env[name];
    }
    Object.assign(process.env, emulator.managedIdentityEnv('app-service'));
  });
  afterAll(() => emulator.stop());

  it('serves ManagedIdentityCredential for the system-assigned identity', async () => {
    const token = await new ManagedIdentityCredential().getToken(REDIS_SCOPE);
    expect(decodeJwt(token.token)).toMatchObject({
      oid: DEFAULT_SYSTEM_MI_OBJECT_ID,
      aud: 'https://redis.azure.com',
    });
    expect(emulator.requests.at(-1)).toMatchObject({
      endpoint: 'mi',
      managedIdentitySource: 'app-service',
      status: 200,
    });
  });

  it('serves ManagedIdentityCredential for a user-assigned identity by client id', async () => {
    const token = await new ManagedIdentityCredential({ clientId: DEFAULT_USER_MI_CLIENT_ID }).getToken(
      REDIS_SCOPE,
    );
    expect(decodeJwt(token.token)).toMatchObject({
      oid: DEFAULT_USER_MI_OBJECT_ID,
      appid: DEFAULT_USER_MI_CLIENT_ID,
    });
  });

  it('serves DefaultAzureCredential through its managed identity credential', async () => {
    const token = await new DefaultAzureCredential().getToken(REDIS_SCOPE);
    expect(decodeJwt(token.token).oid).toBe(DEFAULT_SYSTEM_MI_OBJECT_ID);
  });

  it('reports an unknown user-assigned identity as CredentialUnavailableError', async () => {
    const error = await new ManagedIdentityCredential({ clientId: '00000000-dead-4000-8000-000000000000' })
      .getToken(REDIS_SCOPE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialUnavailableError);
  });
});
