import { AuthenticationRequiredError, ClientSecretCredential, DefaultAzureCredential } from '@azure/identity';
import { decodeJwt } from 'jose';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_TENANT_ID,
  type EntraEmulator,
  MANAGED_IDENTITY_ENV_VARS,
  startEntraEmulator,
} from '../../src';
import { verifyWithJwks } from './support/verify-token';

const REDIS_SCOPE = 'https://redis.azure.com/.default';

describe('Entra emulator › @azure/identity client secret credentials (in-process, CA via tlsOptions)', () => {
  let emulator: EntraEmulator;

  beforeAll(async () => {
    emulator = await startEntraEmulator();
  });
  afterAll(() => emulator.stop());

  it('serves ClientSecretCredential', async () => {
    const credential = new ClientSecretCredential(
      DEFAULT_TENANT_ID,
      DEFAULT_CLIENT_ID,
      DEFAULT_CLIENT_SECRET,
      emulator.identityOptions(),
    );
    const token = await credential.getToken(REDIS_SCOPE);
    expect(token.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3_500_000);
    expect(await verifyWithJwks(emulator, token.token)).toMatchObject({
      appid: DEFAULT_CLIENT_ID,
      idtyp: 'app',
    });
  });

  it('reports a wrong secret as AuthenticationRequiredError without the secret in its message', async () => {
    const credential = new ClientSecretCredential(
      DEFAULT_TENANT_ID,
      DEFAULT_CLIENT_ID,
      'definitely-wrong-secret',
      emulator.identityOptions(),
    );
    const error = await credential.getToken(REDIS_SCOPE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationRequiredError);
    expect((error as Error).message).toContain('AADSTS7000215');
    expect((error as Error).message).not.toContain('definitely-wrong-secret');
  });

  it('serves DefaultAzureCredential through its environment credential (AZURE_CLIENT_SECRET …)', async () => {
    for (const name of MANAGED_IDENTITY_ENV_VARS) delete process.env[name];
    Object.assign(process.env, {
      AZURE_TENANT_ID: DEFAULT_TENANT_ID,
      AZURE_CLIENT_ID: DEFAULT_CLIENT_ID,
      AZURE_CLIENT_SECRET: DEFAULT_CLIENT_SECRET,
      AZURE_AUTHORITY_HOST: emulator.authorityHost,
    });
    const { authorityHost: _fromEnv, ...options } = emulator.identityOptions();
    const credential = new DefaultAzureCredential(options);
    const token = await credential.getToken(REDIS_SCOPE);
    expect(decodeJwt(token.token)).toMatchObject({ appid: DEFAULT_CLIENT_ID, tid: DEFAULT_TENANT_ID });
  });
});
