import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthenticationRequiredError, WorkloadIdentityCredential } from '@azure/identity';
import { ConfidentialClientApplication, ServerError } from '@azure/msal-node';
import { DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID, type EntraEmulator, startEntraEmulator } from '../../src';
import { verifyWithJwks } from './support/verify-token';

const REDIS_SCOPE = 'https://redis.azure.com/.default';

describe('Entra emulator › federated credentials (workload identity)', () => {
  let emulator: EntraEmulator;
  let dir: string;

  beforeAll(async () => {
    emulator = await startEntraEmulator();
    dir = mkdtempSync(join(tmpdir(), 'authx-federated-'));
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function ccaWithAssertion(assertion: () => Promise<string>) {
    const config = emulator.msalConfig();
    return new ConfidentialClientApplication({
      ...config,
      auth: { ...config.auth, clientAssertion: () => assertion() },
    });
  }

  it('exchanges a token of the emulator’s issuer for an access token (MSAL clientAssertion)', async () => {
    const cca = ccaWithAssertion(() => emulator.issueFederatedToken());
    const result = await cca.acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] });
    expect(await verifyWithJwks(emulator, result!.accessToken)).toMatchObject({
      appid: DEFAULT_CLIENT_ID,
      appidacr: '2',
    });
  });

  it('serves WorkloadIdentityCredential reading a federated token file', async () => {
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, await emulator.issueFederatedToken());
    const credential = new WorkloadIdentityCredential({
      tenantId: DEFAULT_TENANT_ID,
      clientId: DEFAULT_CLIENT_ID,
      tokenFilePath: tokenFile,
      ...emulator.identityOptions(),
    });
    const token = await credential.getToken(REDIS_SCOPE);
    expect(await verifyWithJwks(emulator, token.token)).toMatchObject({
      appid: DEFAULT_CLIENT_ID,
      tid: DEFAULT_TENANT_ID,
    });
  });

  it('rejects a subject with no federated credential record (AADSTS700213)', async () => {
    const cca = ccaWithAssertion(() =>
      emulator.issueFederatedToken({ subject: 'system:serviceaccount:other:intruder' }),
    );
    const error = await cca
      .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: 'invalid_client' });
    expect((error as Error).message).toContain('AADSTS700213');
  });

  it('rejects a token for another audience (AADSTS700212)', async () => {
    const cca = ccaWithAssertion(() => emulator.issueFederatedToken({ audience: 'api://somewhere-else' }));
    const error = await cca
      .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('AADSTS700212');
  });

  it('rejects an expired federated token through WorkloadIdentityCredential', async () => {
    const tokenFile = join(dir, 'expired');
    // 400 s in the past: beyond Entra's 5-minute clock skew allowance.
    writeFileSync(tokenFile, await emulator.issueFederatedToken({ lifetimeSec: -400 }));
    const credential = new WorkloadIdentityCredential({
      tenantId: DEFAULT_TENANT_ID,
      clientId: DEFAULT_CLIENT_ID,
      tokenFilePath: tokenFile,
      ...emulator.identityOptions(),
    });
    const error = await credential.getToken(REDIS_SCOPE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationRequiredError);
    expect((error as Error).message).toContain('AADSTS700024');
  });
});
