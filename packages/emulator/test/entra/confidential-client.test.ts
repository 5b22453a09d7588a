import { ConfidentialClientApplication, ServerError } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import {
  type ClientCertificate,
  createClientCertificate,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_TENANT_ID,
  type EntraEmulator,
  REDIS_RESOURCE,
  startEntraEmulator,
} from '../../src';
import { verifyWithJwks } from './support/verify-token';

const REDIS_SCOPE = 'https://redis.azure.com/.default';
const CERT_CLIENT_ID = 'c0000000-0000-4000-8000-00000000cert';
const V2_CLIENT_ID = 'c0000000-0000-4000-8000-0000000000v2';

describe('Entra emulator › confidential client (MSAL ConfidentialClientApplication)', () => {
  let emulator: EntraEmulator;
  let certificate: ClientCertificate;

  beforeAll(async () => {
    certificate = await createClientCertificate();
    emulator = await startEntraEmulator();
    emulator.addApp({ clientId: CERT_CLIENT_ID, certificates: [certificate.certPem] });
    emulator.addApp({ clientId: V2_CLIENT_ID, secrets: ['v2-secret'], accessTokenVersion: 2 });
  });
  afterAll(() => emulator.stop());

  describe('client secret', () => {
    it('issues a v1 access token for Redis shaped like Azure’s', async () => {
      const cca = new ConfidentialClientApplication({
        ...emulator.msalConfig(),
        auth: { ...emulator.msalConfig().auth, clientSecret: DEFAULT_CLIENT_SECRET },
      });
      const result = await cca.acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] });
      expect(result?.tokenType).toBe('Bearer');
      const claims = await verifyWithJwks(emulator, result!.accessToken, {
        issuer: `https://sts.windows.net/${DEFAULT_TENANT_ID}/`,
        audience: REDIS_RESOURCE.identifierUri,
      });
      expect(claims).toMatchObject({
        tid: DEFAULT_TENANT_ID,
        appid: DEFAULT_CLIENT_ID,
        appidacr: '1',
        idtyp: 'app',
        ver: '1.0',
        oid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        uti: expect.any(String),
      });
      expect(claims.sub).toBe(claims.oid);
      expect(claims.nbf).toBe(claims.iat);
      // exp is rounded up to whole seconds: the token lives at least the configured 3600 s.
      expect([3600, 3601]).toContain((claims.exp ?? 0) - (claims.iat ?? 0));
      expect(result!.expiresOn!.getTime() - Date.now()).toBeGreaterThan(3590_000);
    });

    it.each([
      [`${REDIS_RESOURCE.appId}/.default`, REDIS_RESOURCE.appId],
      ['https://redis.azure.com/.default', 'https://redis.azure.com'],
      ['https://redis.azure.com//.default', 'https://redis.azure.com/'],
    ])('writes the resource as requested into aud (v1): %s → %s', async (scope, audience) => {
      const cca = new ConfidentialClientApplication({
        ...emulator.msalConfig(),
        auth: { ...emulator.msalConfig().auth, clientSecret: DEFAULT_CLIENT_SECRET },
      });
      const result = await cca.acquireTokenByClientCredential({ scopes: [scope] });
      expect(decodeJwt(result!.accessToken).aud).toBe(audience);
    });

    it('refuses an identifier URI the resource does not have (api://{app id}) with AADSTS500011', async () => {
      const cca = new ConfidentialClientApplication({
        ...emulator.msalConfig(),
        auth: { ...emulator.msalConfig().auth, clientSecret: DEFAULT_CLIENT_SECRET },
      });
      const error = await cca
        .acquireTokenByClientCredential({ scopes: [`api://${REDIS_RESOURCE.appId}/.default`] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ errorCode: 'invalid_resource' });
      expect((error as Error).message).toContain('AADSTS500011');
    });

    it('issues v2 tokens (authority issuer, app-id audience, azp) for an app configured for v2', async () => {
      const config = emulator.msalConfig({ clientId: V2_CLIENT_ID });
      const cca = new ConfidentialClientApplication({
        ...config,
        auth: { ...config.auth, clientSecret: 'v2-secret' },
      });
      const result = await cca.acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] });
      const claims = await verifyWithJwks(emulator, result!.accessToken, {
        issuer: `${emulator.authorityHost}/${DEFAULT_TENANT_ID}/v2.0`,
        audience: REDIS_RESOURCE.appId,
      });
      expect(claims).toMatchObject({ azp: V2_CLIENT_ID, azpacr: '1', ver: '2.0', idtyp: 'app' });
      expect(claims.appid).toBeUndefined();
    });

    it('raises ServerError invalid_client / 7000215 for a wrong secret, without echoing it', async () => {
      const cca = new ConfidentialClientApplication({
        ...emulator.msalConfig(),
        auth: { ...emulator.msalConfig().auth, clientSecret: 'wrong-secret-value-123' },
      });
      const error = await cca
        .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ errorCode: 'invalid_client', status: 401 });
      expect(String((error as ServerError).errorNo)).toBe('7000215');
      expect((error as Error).message).toContain('AADSTS7000215');
      expect(JSON.stringify(error)).not.toContain('wrong-secret-value-123');
      expect((error as Error).message).not.toContain('wrong-secret-value-123');
    });

    it('raises ServerError unauthorized_client / 700016 for an unknown client id', async () => {
      const config = emulator.msalConfig();
      const cca = new ConfidentialClientApplication({
        ...config,
        auth: { ...config.auth, clientId: '99999999-9999-4999-8999-999999999999', clientSecret: 'x' },
      });
      const error = await cca
        .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ errorCode: 'unauthorized_client', status: 400 });
      expect((error as Error).message).toContain('AADSTS700016');
    });
  });

  describe('client certificate', () => {
    it('accepts an assertion identified by the SHA-1 thumbprint (RS256, x5t)', async () => {
      const config = emulator.msalConfig({ clientId: CERT_CLIENT_ID });
      const cca = new ConfidentialClientApplication({
        ...config,
        auth: {
          ...config.auth,
          clientCertificate: { thumbprint: certificate.thumbprintSha1, privateKey: certificate.keyPem },
        },
      });
      const result = await cca.acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] });
      const claims = await verifyWithJwks(emulator, result!.accessToken);
      expect(claims).toMatchObject({ appid: CERT_CLIENT_ID, appidacr: '2' });
    });

    it('accepts an assertion identified by the SHA-256 thumbprint (PS256, x5t#S256)', async () => {
      const config = emulator.msalConfig({ clientId: CERT_CLIENT_ID });
      const cca = new ConfidentialClientApplication({
        ...config,
        auth: {
          ...config.auth,
          clientCertificate: {
            thumbprintSha256: certificate.thumbprintSha256,
            privateKey: certificate.keyPem,
          },
        },
      });
      const result = await cca.acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] });
      expect(decodeJwt(result!.accessToken)).toMatchObject({ appid: CERT_CLIENT_ID, appidacr: '2' });
    });

    it('rejects an assertion signed by a certificate that is not registered (700027)', async () => {
      const stranger = await createClientCertificate();
      const config = emulator.msalConfig({ clientId: CERT_CLIENT_ID });
      const cca = new ConfidentialClientApplication({
        ...config,
        auth: {
          ...config.auth,
          clientCertificate: { thumbprintSha256: stranger.thumbprintSha256, privateKey: stranger.keyPem },
        },
      });
      const error = await cca
        .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServerError);
      expect(error).toMatchObject({ errorCode: 'invalid_client', status: 401 });
      expect((error as Error).message).toContain('AADSTS700027');
    });

    it('rejects an assertion whose signature does not match the registered certificate (700027)', async () => {
      const stranger = await createClientCertificate();
      const config = emulator.msalConfig({ clientId: CERT_CLIENT_ID });
      const cca = new ConfidentialClientApplication({
        ...config,
        // The registered thumbprint, but signed by another key.
        auth: {
          ...config.auth,
          clientCertificate: { thumbprintSha256: certificate.thumbprintSha256, privateKey: stranger.keyPem },
        },
      });
      const error = await cca
        .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ errorCode: 'invalid_client' });
      expect((error as Error).message).toContain(
        'AADSTS700027: Client assertion failed signature validation',
      );
    });
  });
});
