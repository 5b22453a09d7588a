import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { importPKCS8, SignJWT } from 'jose';
import {
  type ClientCertificate,
  createClientCertificate,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_TENANT_ID,
  type EntraEmulator,
  type EntraErrorBody,
  startEntraEmulator,
} from '../../src';
import { httpGet } from './support/http-request';
import { httpsRequest } from './support/https-request';

const TOKEN_PATH = `/${DEFAULT_TENANT_ID}/oauth2/v2.0/token`;
const REDIS_SCOPE = 'https://redis.azure.com/.default';
const CERT_CLIENT_ID = 'c0000000-0000-4000-8000-0000000wire1';

function expectEntraError(body: EntraErrorBody, error: string, code: number): void {
  expect(body).toEqual({
    error,
    error_description: expect.stringMatching(new RegExp(`^AADSTS${code}: `)),
    error_codes: [code],
    timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
    trace_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    correlation_id: expect.any(String),
    error_uri: expect.any(String),
    ...(body.suberror ? { suberror: body.suberror } : {}),
  });
  expect(body.error_description).toContain(`Trace ID: ${body.trace_id}`);
}

describe('Entra emulator › wire format', () => {
  let emulator: EntraEmulator;
  let certificate: ClientCertificate;

  beforeAll(async () => {
    certificate = await createClientCertificate();
    emulator = await startEntraEmulator();
    emulator.addApp({ clientId: CERT_CLIENT_ID, certificates: [certificate.certPem] });
  });
  afterAll(() => emulator.stop());

  describe('discovery and keys', () => {
    it('serves the v2 OpenID configuration with an issuer on the authority’s scheme, host and port', async () => {
      const response = await httpsRequest(
        emulator,
        `/${DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration`,
      );
      expect(response.status).toBe(200);
      expect(response.json()).toMatchObject({
        issuer: `${emulator.authorityHost}/${DEFAULT_TENANT_ID}/v2.0`,
        token_endpoint: `${emulator.authorityHost}${TOKEN_PATH}`,
        authorization_endpoint: `${emulator.authorityHost}/${DEFAULT_TENANT_ID}/oauth2/v2.0/authorize`,
        jwks_uri: emulator.jwksUri(),
        id_token_signing_alg_values_supported: ['RS256'],
      });
    });

    it('serves the v1 OpenID configuration with the sts.windows.net issuer', async () => {
      const response = await httpsRequest(emulator, `/${DEFAULT_TENANT_ID}/.well-known/openid-configuration`);
      expect(response.json()).toMatchObject({ issuer: `https://sts.windows.net/${DEFAULT_TENANT_ID}/` });
    });

    it('serves the same JWKS globally and per tenant', async () => {
      const global = (await httpsRequest(emulator, '/discovery/v2.0/keys')).json();
      const perTenant = (await httpsRequest(emulator, `/${DEFAULT_TENANT_ID}/discovery/v2.0/keys`)).json();
      expect(global).toEqual(perTenant);
      expect(global).toEqual(emulator.jwks());
      expect(emulator.jwks().keys[0]).toMatchObject({
        kty: 'RSA',
        use: 'sig',
        alg: 'RS256',
        kid: expect.any(String),
      });
    });

    it('answers an unknown tenant with AADSTS90002', async () => {
      const response = await httpsRequest(emulator, '/no-such-tenant/oauth2/v2.0/token', {
        form: {
          grant_type: 'client_credentials',
          client_id: DEFAULT_CLIENT_ID,
          client_secret: 'x',
          scope: REDIS_SCOPE,
        },
      });
      expect(response.status).toBe(400);
      expectEntraError(response.json(), 'invalid_request', 90002);
    });
  });

  describe('token endpoint errors', () => {
    const form = (extra: Record<string, string>) => ({
      grant_type: 'client_credentials',
      client_id: DEFAULT_CLIENT_ID,
      scope: REDIS_SCOPE,
      ...extra,
    });

    it('echoes client-request-id as correlation_id and never echoes the secret', async () => {
      const response = await httpsRequest(emulator, TOKEN_PATH, {
        form: form({ client_secret: 'super-secret-guess-42' }),
        headers: { 'client-request-id': 'corr-123' },
      });
      expect(response.status).toBe(401);
      const body = response.json<EntraErrorBody>();
      expectEntraError(body, 'invalid_client', 7000215);
      expect(body.correlation_id).toBe('corr-123');
      expect(response.text).not.toContain('super-secret-guess-42');
    });

    it('requires /.default for client credentials (AADSTS1002012)', async () => {
      const response = await httpsRequest(emulator, TOKEN_PATH, {
        form: form({
          client_secret: DEFAULT_CLIENT_SECRET,
          scope: 'https://redis.azure.com/user_impersonation',
        }),
      });
      expectEntraError(response.json(), 'invalid_scope', 1002012);
    });

    it('rejects an unknown resource (AADSTS500011)', async () => {
      const response = await httpsRequest(emulator, TOKEN_PATH, {
        form: form({ client_secret: DEFAULT_CLIENT_SECRET, scope: 'https://vault.azure.net/.default' }),
      });
      expectEntraError(response.json(), 'invalid_resource', 500011);
    });

    it('rejects an unsupported grant type (AADSTS70003)', async () => {
      const response = await httpsRequest(emulator, TOKEN_PATH, { form: form({ grant_type: 'password' }) });
      expectEntraError(response.json(), 'unsupported_grant_type', 70003);
    });

    it('requires client authentication for client credentials even on a public client (AADSTS7000218)', async () => {
      const response = await httpsRequest(emulator, TOKEN_PATH, { form: form({}) });
      expect(response.status).toBe(401);
      expectEntraError(response.json(), 'invalid_client', 7000218);
    });

    async function firstTokens(target: EntraEmulator): Promise<Record<string, string>> {
      const { code, verifier } = await authorize(target);
      return (
        await httpsRequest(target, TOKEN_PATH, {
          form: {
            grant_type: 'authorization_code',
            client_id: DEFAULT_CLIENT_ID,
            code,
            code_verifier: verifier,
            redirect_uri: 'http://localhost/redirect',
            scope: `${REDIS_SCOPE} openid offline_access`,
          },
        })
      ).json<Record<string, string>>();
    }
    const refresh = (target: EntraEmulator, refreshToken: string) =>
      httpsRequest(target, TOKEN_PATH, {
        form: { grant_type: 'refresh_token', client_id: DEFAULT_CLIENT_ID, refresh_token: refreshToken },
      });

    it('keeps a redeemed refresh token valid and hands out a new one each time, as Entra does', async () => {
      const first = await firstTokens(emulator);
      expect(first).toMatchObject({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600 });
      const second = await refresh(emulator, first.refresh_token!);
      expect(second.status).toBe(200);
      expect(second.json().refresh_token).not.toBe(first.refresh_token);
      const again = await refresh(emulator, first.refresh_token!);
      expect(again.status).toBe(200);
      expect(again.json().access_token).toEqual(expect.any(String));
    });

    it('rotates refresh tokens with refreshTokenRotation: a redeemed one fails with invalid_grant + bad_token, without echoing it', async () => {
      const rotating = await startEntraEmulator({ refreshTokenRotation: true });
      try {
        const first = await firstTokens(rotating);
        expect((await refresh(rotating, first.refresh_token!)).status).toBe(200);
        const replay = await refresh(rotating, first.refresh_token!);
        expect(replay.status).toBe(400);
        expectEntraError(replay.json(), 'invalid_grant', 70000);
        expect(replay.json().suberror).toBe('bad_token');
        expect(replay.text).not.toContain(first.refresh_token);
      } finally {
        await rotating.stop();
      }
    });
  });

  describe('certificate assertions', () => {
    async function assertion(overrides: { aud?: string; jti?: string; iss?: string } = {}) {
      const key = await importPKCS8(certificate.keyPem, 'RS256');
      const nowSec = Math.floor(Date.now() / 1000);
      return new SignJWT({ jti: overrides.jti ?? crypto.randomUUID() })
        .setProtectedHeader({
          alg: 'RS256',
          x5t: Buffer.from(certificate.thumbprintSha1, 'hex').toString('base64url'),
        })
        .setIssuer(overrides.iss ?? CERT_CLIENT_ID)
        .setSubject(CERT_CLIENT_ID)
        .setAudience(overrides.aud ?? `${emulator.authorityHost}${TOKEN_PATH}`)
        .setIssuedAt(nowSec)
        .setNotBefore(nowSec)
        .setExpirationTime(nowSec + 600)
        .sign(key);
    }
    const post = (clientAssertion: string, target: EntraEmulator = emulator) =>
      httpsRequest(target, TOKEN_PATH, {
        form: {
          grant_type: 'client_credentials',
          client_id: CERT_CLIENT_ID,
          scope: REDIS_SCOPE,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: clientAssertion,
        },
      });

    it('accepts a reused assertion by default, as Entra does for the assertion MSAL caches', async () => {
      const signed = await assertion();
      expect((await post(signed)).status).toBe(200);
      expect((await post(signed)).status).toBe(200);
    });

    it('refuses a replayed jti when rejectReplayedAssertions is on', async () => {
      const strict = await startEntraEmulator({ rejectReplayedAssertions: true });
      try {
        strict.addApp({ clientId: CERT_CLIENT_ID, certificates: [certificate.certPem] });
        const signed = await assertion({ aud: `${strict.authorityHost}${TOKEN_PATH}` });
        expect((await post(signed, strict)).status).toBe(200);
        const replay = await post(signed, strict);
        expect(replay.status).toBe(401);
        expectEntraError(replay.json(), 'invalid_client', 50027);
        expect(replay.text).not.toContain(signed);
      } finally {
        await strict.stop();
      }
    });

    it('rejects an assertion whose aud is not the token endpoint', async () => {
      const response = await post(
        await assertion({ aud: 'https://login.microsoftonline.com/common/oauth2/v2.0/token' }),
      );
      expect(response.status).toBe(401);
      expect(response.json<EntraErrorBody>().error).toBe('invalid_client');
    });

    it('rejects a malformed assertion (AADSTS50027)', async () => {
      const response = await post('not-a-jwt');
      expectEntraError(response.json(), 'invalid_client', 50027);
    });
  });

  describe('managed identity listener', () => {
    it('requires X-IDENTITY-HEADER on the App Service endpoint (401 with an App Service body)', async () => {
      const { IDENTITY_ENDPOINT } = emulator.managedIdentityEnv('app-service');
      const response = await httpGet(
        `${IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://redis.azure.com`,
        {
          'X-IDENTITY-HEADER': 'wrong',
        },
      );
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ statusCode: 401, message: expect.any(String) });
    });

    it('answers App Service requests with expires_on as an epoch-seconds string', async () => {
      const { IDENTITY_ENDPOINT, IDENTITY_HEADER } = emulator.managedIdentityEnv('app-service');
      const response = await httpGet(
        `${IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=https://redis.azure.com`,
        {
          'X-IDENTITY-HEADER': IDENTITY_HEADER!,
        },
      );
      expect(response.json()).toMatchObject({
        access_token: expect.any(String),
        expires_on: expect.stringMatching(/^\d{10}$/),
        resource: 'https://redis.azure.com',
        token_type: 'Bearer',
      });
    });

    it('requires Metadata: true on the IMDS endpoint (400 with an IMDS body)', async () => {
      const { AZURE_POD_IDENTITY_AUTHORITY_HOST } = emulator.managedIdentityEnv('imds');
      const response = await httpGet(
        `${AZURE_POD_IDENTITY_AUTHORITY_HOST}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://redis.azure.com`,
      );
      expect(response.status).toBe(400);
      expect(response.json()).toMatchObject({
        error: 'invalid_request',
        error_description: 'Required metadata header not specified',
      });
    });
  });

  describe('secrets', () => {
    it('keeps secrets and tokens out of the request log and of util.inspect / JSON of the emulator', async () => {
      await httpsRequest(emulator, TOKEN_PATH, {
        form: {
          grant_type: 'client_credentials',
          client_id: DEFAULT_CLIENT_ID,
          client_secret: DEFAULT_CLIENT_SECRET,
          scope: REDIS_SCOPE,
        },
      });
      const log = JSON.stringify(emulator.requests);
      expect(log).toContain('client_credentials');
      expect(log).not.toContain(DEFAULT_CLIENT_SECRET);
      for (const rendering of [inspect(emulator, { depth: 5, showHidden: true }), JSON.stringify(emulator)]) {
        expect(rendering).not.toContain(DEFAULT_CLIENT_SECRET);
        expect(rendering).not.toContain(emulator.identityHeader);
        expect(rendering).not.toContain('PRIVATE KEY');
      }
    });
  });
});

async function authorize(emulator: EntraEmulator): Promise<{ code: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: DEFAULT_CLIENT_ID,
    response_type: 'code',
    redirect_uri: 'http://localhost/redirect',
    scope: `${REDIS_SCOPE} openid offline_access`,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: 's1',
  });
  const response = await httpsRequest(emulator, `/${DEFAULT_TENANT_ID}/oauth2/v2.0/authorize?${query}`);
  expect(response.status).toBe(302);
  const location = new URL(String(response.headers.location));
  expect(location.searchParams.get('state')).toBe('s1');
  return { code: location.searchParams.get('code')!, verifier };
}
