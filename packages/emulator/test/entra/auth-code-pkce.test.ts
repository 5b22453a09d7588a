import {
  type AccountInfo,
  type AuthenticationResult,
  CryptoProvider,
  InteractionRequiredAuthError,
  PublicClientApplication,
  ServerError,
} from '@azure/msal-node';
import { decodeJwt } from 'jose';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_TENANT_ID,
  DEFAULT_USER_OID,
  DEFAULT_USER_UPN,
  type EntraEmulator,
  startEntraEmulator,
} from '../../src';
import { followAuthorize } from './support/follow-authorize';
import { verifyWithJwks } from './support/verify-token';

const REDIS_SCOPE = 'https://redis.azure.com/.default';
// The default app registers http://localhost/redirect, which matches any loopback port.
const REDIRECT_URI = 'http://localhost:3000/redirect';

describe('Entra emulator › authorization code + PKCE (MSAL PublicClientApplication)', () => {
  let emulator: EntraEmulator;
  const crypto = new CryptoProvider();

  beforeAll(async () => {
    emulator = await startEntraEmulator();
  });
  afterAll(() => emulator.stop());

  async function signIn(pca: PublicClientApplication, nonce?: string) {
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const state = crypto.createNewGuid();
    const url = await pca.getAuthCodeUrl({
      scopes: [REDIS_SCOPE],
      redirectUri: REDIRECT_URI,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      state,
      nonce,
    });
    const { status, location } = await followAuthorize(url, emulator.caPem);
    expect(status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
    // Compare state ourselves: passing it to acquireTokenByCode makes MSAL fail with invalid_state.
    expect(location.searchParams.get('state')).toBe(state);
    return { code: location.searchParams.get('code')!, verifier };
  }

  it('signs the configured user in: code → tokens → refresh via acquireTokenSilent({ forceRefresh })', async () => {
    const pca = new PublicClientApplication(emulator.msalConfig());
    const { code, verifier } = await signIn(pca, 'nonce-123');
    const first: AuthenticationResult = await pca.acquireTokenByCode({
      code,
      codeVerifier: verifier,
      redirectUri: REDIRECT_URI,
      scopes: [REDIS_SCOPE],
      nonce: 'nonce-123',
    });
    expect(first.account).toMatchObject({
      homeAccountId: `${DEFAULT_USER_OID}.${DEFAULT_TENANT_ID}`,
      localAccountId: DEFAULT_USER_OID,
      tenantId: DEFAULT_TENANT_ID,
      username: DEFAULT_USER_UPN,
    });
    expect(decodeJwt(first.idToken)).toMatchObject({
      aud: DEFAULT_CLIENT_ID,
      iss: `${emulator.authorityHost}/${DEFAULT_TENANT_ID}/v2.0`,
      tid: DEFAULT_TENANT_ID,
      oid: DEFAULT_USER_OID,
      preferred_username: DEFAULT_USER_UPN,
      nonce: 'nonce-123',
    });
    const claims = await verifyWithJwks(emulator, first.accessToken, { audience: 'https://redis.azure.com' });
    expect(claims).toMatchObject({
      oid: DEFAULT_USER_OID,
      idtyp: 'user',
      appid: DEFAULT_CLIENT_ID,
      upn: DEFAULT_USER_UPN,
    });

    emulator.clearRequests();
    const refreshed = await pca.acquireTokenSilent({
      account: first.account as AccountInfo,
      scopes: [REDIS_SCOPE],
      forceRefresh: true,
    });
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(decodeJwt(refreshed.accessToken).oid).toBe(DEFAULT_USER_OID);
    expect(
      emulator.requests.filter((r) => r.endpoint === 'token').map((r) => [r.grantType, r.status]),
    ).toEqual([['refresh_token', 200]]);
  });

  it('omits nonce from the ID token when the authorize request had none', async () => {
    const pca = new PublicClientApplication(emulator.msalConfig());
    const { code, verifier } = await signIn(pca);
    const result = await pca.acquireTokenByCode({
      code,
      codeVerifier: verifier,
      redirectUri: REDIRECT_URI,
      scopes: [REDIS_SCOPE],
    });
    expect(decodeJwt(result.idToken).nonce).toBeUndefined();
  });

  it('rejects a wrong code_verifier with invalid_grant (ServerError, AADSTS501481)', async () => {
    const pca = new PublicClientApplication(emulator.msalConfig());
    const { code } = await signIn(pca);
    const { verifier: other } = await crypto.generatePkceCodes();
    const error = await pca
      .acquireTokenByCode({ code, codeVerifier: other, redirectUri: REDIRECT_URI, scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    // invalid_grant without a suberror is not "interaction required" for MSAL.
    expect(error).toBeInstanceOf(ServerError);
    expect(error).not.toBeInstanceOf(InteractionRequiredAuthError);
    expect(error).toMatchObject({ errorCode: 'invalid_grant' });
    expect((error as Error).message).toContain('AADSTS501481');
  });

  it('redeems a code once: a second redemption fails with invalid_grant (AADSTS54005)', async () => {
    const pca = new PublicClientApplication(emulator.msalConfig());
    const { code, verifier } = await signIn(pca);
    const request = { code, codeVerifier: verifier, redirectUri: REDIRECT_URI, scopes: [REDIS_SCOPE] };
    await pca.acquireTokenByCode(request);
    const error = await pca.acquireTokenByCode(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: 'invalid_grant' });
    expect((error as Error).message).toContain('AADSTS54005');
  });

  it('fails the silent refresh with invalid_grant + bad_token (InteractionRequiredAuthError) once refresh tokens are revoked', async () => {
    const pca = new PublicClientApplication(emulator.msalConfig());
    const { code, verifier } = await signIn(pca);
    const result = await pca.acquireTokenByCode({
      code,
      codeVerifier: verifier,
      redirectUri: REDIRECT_URI,
      scopes: [REDIS_SCOPE],
    });
    expect(emulator.revokeRefreshTokens({ userOid: DEFAULT_USER_OID })).toBeGreaterThanOrEqual(1);
    const error = await pca
      .acquireTokenSilent({
        account: result.account as AccountInfo,
        scopes: [REDIS_SCOPE],
        forceRefresh: true,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InteractionRequiredAuthError);
    expect(error).toMatchObject({ errorCode: 'invalid_grant', subError: 'bad_token' });
    expect((error as Error).message).toContain('AADSTS50173');
  });

  it('signs in the user named by login_hint', async () => {
    emulator.addUser({ oid: '88888888-8888-4888-8888-888888888888', upn: 'bob@authx.example' });
    const pca = new PublicClientApplication(emulator.msalConfig());
    const { verifier, challenge } = await crypto.generatePkceCodes();
    const url = await pca.getAuthCodeUrl({
      scopes: [REDIS_SCOPE],
      redirectUri: REDIRECT_URI,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
      loginHint: 'bob@authx.example',
    });
    const { location } = await followAuthorize(url, emulator.caPem);
    const result = await pca.acquireTokenByCode({
      code: location.searchParams.get('code')!,
      codeVerifier: verifier,
      redirectUri: REDIRECT_URI,
      scopes: [REDIS_SCOPE],
    });
    expect(result.account?.username).toBe('bob@authx.example');
    expect(decodeJwt(result.accessToken).oid).toBe('88888888-8888-4888-8888-888888888888');
  });
});
