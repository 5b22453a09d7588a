import {
  type AccountInfo,
  ConfidentialClientApplication,
  ClientAuthError,
  CryptoProvider,
  PublicClientApplication,
} from '@azure/msal-node';
import { decodeJwt } from 'jose';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_TENANT_ID,
  DEFAULT_USER_OID,
  type EntraEmulator,
  startEntraEmulator,
} from '../../src';
import { followAuthorize } from './support/follow-authorize';
import { httpsRequest } from './support/https-request';

const REDIS_SCOPE = 'https://redis.azure.com/.default';
const REDIRECT_URI = 'http://localhost:3000/redirect';
const SECOND_TENANT = '99999999-9999-4999-8999-999999999999';
const SECOND_USER = { oid: '99999999-0000-4000-8000-000000000001', upn: 'carol@second.example' };
const SINGLE_TENANT_APP = 'c0000000-0000-4000-8000-0000000single';

describe.each(['common', 'organizations'])('Entra emulator › /%s authority', (segment) => {
  let emulator: EntraEmulator;
  const crypto = new CryptoProvider();

  beforeAll(async () => {
    emulator = await startEntraEmulator();
  });
  afterAll(() => emulator.stop());

  const pca = (clientId?: string) => {
    const config = emulator.msalConfig({ clientId, tenantId: segment });
    return new PublicClientApplication(config);
  };

  async function signIn(app: PublicClientApplication, loginHint?: string) {
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const url = await app.getAuthCodeUrl({
      scopes: [REDIS_SCOPE],
      redirectUri: REDIRECT_URI,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      loginHint,
    });
    expect(url).toContain(`/${segment}/oauth2/v2.0/authorize`);
    const { location } = await followAuthorize(url, emulator.caPem);
    return app.acquireTokenByCode({
      code: location.searchParams.get('code')!,
      codeVerifier: verifier,
      redirectUri: REDIRECT_URI,
      scopes: [REDIS_SCOPE],
    });
  }

  it('publishes OIDC metadata with the issuer templated as Entra does ({tenantid})', async () => {
    const v2 = (await httpsRequest(emulator, `/${segment}/v2.0/.well-known/openid-configuration`)).json();
    expect(v2).toMatchObject({
      issuer: `${emulator.authorityHost}/{tenantid}/v2.0`,
      token_endpoint: `${emulator.authorityHost}/${segment}/oauth2/v2.0/token`,
      authorization_endpoint: `${emulator.authorityHost}/${segment}/oauth2/v2.0/authorize`,
      jwks_uri: `${emulator.authorityHost}/${segment}/discovery/v2.0/keys`,
    });
    const v1 = (await httpsRequest(emulator, `/${segment}/.well-known/openid-configuration`)).json();
    expect(v1).toMatchObject({ issuer: 'https://sts.windows.net/{tenantid}/' });
  });

  it('signs the user in with MSAL (authorize → code → tokens of the user’s tenant → refresh)', async () => {
    const app = pca();
    const first = await signIn(app);
    expect(first.account).toMatchObject({ tenantId: DEFAULT_TENANT_ID, localAccountId: DEFAULT_USER_OID });
    expect(decodeJwt(first.accessToken)).toMatchObject({
      tid: DEFAULT_TENANT_ID,
      oid: DEFAULT_USER_OID,
      iss: `https://sts.windows.net/${DEFAULT_TENANT_ID}/`,
    });
    emulator.clearRequests();
    const refreshed = await app.acquireTokenSilent({
      account: first.account as AccountInfo,
      scopes: [REDIS_SCOPE],
      forceRefresh: true,
    });
    expect(decodeJwt(refreshed.accessToken).oid).toBe(DEFAULT_USER_OID);
    expect(emulator.requests.filter((r) => r.endpoint === 'token').map((r) => [r.path, r.status])).toEqual([
      [`/${segment}/oauth2/v2.0/token`, 200],
    ]);
  });

  it('issues tokens of another tenant to that tenant’s user (login_hint)', async () => {
    const other = await startEntraEmulator({
      tenants: [{ tenantId: DEFAULT_TENANT_ID }, { tenantId: SECOND_TENANT }],
      users: [
        { oid: DEFAULT_USER_OID, upn: 'alice@authx.example' },
        { ...SECOND_USER, tenantId: SECOND_TENANT },
      ],
    });
    try {
      const config = other.msalConfig({ tenantId: segment });
      const app = new PublicClientApplication(config);
      const { verifier, challenge } = await crypto.generatePkceCodes();
      const url = await app.getAuthCodeUrl({
        scopes: [REDIS_SCOPE],
        redirectUri: REDIRECT_URI,
        codeChallenge: challenge,
        codeChallengeMethod: 'S256',
        loginHint: SECOND_USER.upn,
      });
      const { location } = await followAuthorize(url, other.caPem);
      const result = await app.acquireTokenByCode({
        code: location.searchParams.get('code')!,
        codeVerifier: verifier,
        redirectUri: REDIRECT_URI,
        scopes: [REDIS_SCOPE],
      });
      expect(decodeJwt(result.accessToken)).toMatchObject({ tid: SECOND_TENANT, oid: SECOND_USER.oid });
      expect(result.account?.tenantId).toBe(SECOND_TENANT);
    } finally {
      await other.stop();
    }
  });

  it('refuses a single-tenant app with AADSTS50194, as Entra does', async () => {
    emulator.addApp({
      clientId: SINGLE_TENANT_APP,
      publicClient: true,
      redirectUris: ['http://localhost/redirect'],
    });
    const error = await signIn(pca(SINGLE_TENANT_APP)).catch((e: unknown) => e);
    expect(String(error)).toMatch(/authorize answered 400/);
    const response = await httpsRequest(emulator, `/${segment}/oauth2/v2.0/token`, {
      form: { grant_type: 'refresh_token', client_id: SINGLE_TENANT_APP, refresh_token: 'x' },
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request', error_codes: [50194] });
  });

  it('refuses the client credentials flow, which needs a tenant (AADSTS50059; MSAL refuses it first)', async () => {
    const config = emulator.msalConfig({ tenantId: segment });
    const cca = new ConfidentialClientApplication({
      ...config,
      auth: { ...config.auth, clientSecret: DEFAULT_CLIENT_SECRET },
    });
    await expect(cca.acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })).rejects.toBeInstanceOf(
      ClientAuthError,
    );
    const response = await httpsRequest(emulator, `/${segment}/oauth2/v2.0/token`, {
      form: {
        grant_type: 'client_credentials',
        client_id: DEFAULT_CLIENT_ID,
        client_secret: DEFAULT_CLIENT_SECRET,
        scope: REDIS_SCOPE,
      },
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ error: 'invalid_request', error_codes: [50059] });
  });
});
