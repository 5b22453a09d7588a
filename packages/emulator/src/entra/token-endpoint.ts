import { createHash } from 'node:crypto';
import type { ClientAuthentication } from './client-authenticator';
import type { RegisteredApp, RegisteredUser } from './directory';
import {
  type EntraContext,
  isMultiTenantSegment,
  requireApp,
  requireMultiTenantApp,
  requireTenant,
} from './entra-context';
import { EntraProtocolError } from './entra-error-response';
import { parseScope, scpClaim } from './scopes';
import { clientInfo } from './token-issuer';

type TokenResponseBody = Record<string, string | number>;

const SUPPORTED_GRANTS = ['client_credentials', 'authorization_code', 'refresh_token'];

/**
 * POST /{tenant}/oauth2/v2.0/token: client credentials (secret, certificate or federated
 * assertion), authorization code with PKCE, refresh token. On `/common` and `/organizations` the
 * tenant comes from the code or refresh token (the user's), for multi-tenant apps only.
 */
export async function handleTokenRequest(
  context: EntraContext,
  tenantSegment: string,
  form: URLSearchParams,
  basic: { clientId: string; clientSecret: string } | undefined,
): Promise<TokenResponseBody> {
  const multiTenant = isMultiTenantSegment(tenantSegment);
  const tenantId = multiTenant ? undefined : requireTenant(context, tenantSegment);
  const grantType = form.get('grant_type');
  if (!grantType) {
    throw EntraProtocolError.missingParameter('grant_type');
  }
  if (!SUPPORTED_GRANTS.includes(grantType)) {
    throw new EntraProtocolError(
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    );
  }
  const clientId = form.get('client_id') ?? basic?.clientId;
  const app =
    tenantId === undefined
      ? requireMultiTenantApp(context, tenantSegment, clientId)
      : requireApp(context, tenantId, clientId);
  if (tenantId === undefined && grantType === 'client_credentials') {
    // An app-only token needs a tenant: Entra cannot tell which one from /common.
    throw new EntraProtocolError(
      'invalid_request',
      50059,
      'No tenant-identifying information found in either the request or implied by any provided credentials. Use a tenant-specific authority for the client credentials flow.',
    );
  }
  const authentication = await context.authenticator.authenticate(
    app,
    {
      clientSecret: form.get('client_secret') ?? basic?.clientSecret,
      clientAssertion: form.get('client_assertion') ?? undefined,
      clientAssertionType: form.get('client_assertion_type') ?? undefined,
    },
    { tenantSegment, allowPublic: grantType !== 'client_credentials' },
  );
  if (grantType === 'client_credentials')
    return clientCredentials(context, tenantId!, app, authentication, form);
  if (grantType === 'authorization_code')
    return authorizationCode(context, tenantId, app, authentication, form);
  return refreshToken(context, tenantId, app, authentication, form);
}

async function clientCredentials(
  context: EntraContext,
  tenantId: string,
  app: RegisteredApp,
  authentication: ClientAuthentication,
  form: URLSearchParams,
): Promise<TokenResponseBody> {
  const { resource, audience } = parseScope(context.directory, tenantId, form.get('scope'), true);
  const token = await context.issuer.accessToken({
    tenantId,
    resource,
    audience,
    version: app.accessTokenVersion ?? context.settings.accessTokenVersion,
    lifetimeSec: app.tokenLifetimeSec ?? context.settings.tokenLifetimeSec,
    subject: {
      kind: 'app',
      clientId: app.clientId,
      objectId: app.objectId,
      appidacr: authentication.acr === '2' ? '2' : '1',
    },
  });
  return {
    token_type: 'Bearer',
    expires_in: token.expiresInSec,
    ext_expires_in: token.expiresInSec,
    access_token: token.accessToken,
  };
}

function verifyPkce(
  challenge: string,
  method: 'S256' | 'plain' | undefined,
  verifier: string | null,
): boolean {
  if (!verifier || !/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) return false;
  const computed = method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
  return computed === challenge;
}

async function authorizationCode(
  context: EntraContext,
  requestTenantId: string | undefined,
  app: RegisteredApp,
  authentication: ClientAuthentication,
  form: URLSearchParams,
): Promise<TokenResponseBody> {
  const code = form.get('code');
  if (!code) {
    throw EntraProtocolError.missingParameter('code');
  }
  const redeemed = context.codes.redeem(code, (grant) => belongsTo(grant, app, requestTenantId));
  switch (redeemed.status) {
    case 'ok':
      break;
    case 'used':
      throw new EntraProtocolError(
        'invalid_grant',
        54005,
        'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
      );
    case 'expired':
      throw new EntraProtocolError(
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired due to inactivity.',
      );
    case 'mismatch':
      throw new EntraProtocolError(
        'invalid_grant',
        70000,
        'Provided authorization code was issued to another client.',
      );
    default:
      throw new EntraProtocolError(
        'invalid_grant',
        9002313,
        'Invalid request. Request is malformed or invalid (the authorization code is not valid).',
      );
  }
  const grant = redeemed.grant;
  const tenantId = grant.tenantId;
  if (form.get('redirect_uri') !== grant.redirectUri) {
    throw new EntraProtocolError(
      'invalid_grant',
      500112,
      'The reply address does not match the reply address provided when requesting Authorization code.',
    );
  }
  if (
    grant.codeChallenge !== undefined &&
    !verifyPkce(grant.codeChallenge, grant.codeChallengeMethod, form.get('code_verifier'))
  ) {
    throw new EntraProtocolError(
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    );
  }
  const user = context.directory.user(tenantId, grant.userOid);
  if (!user)
    throw new EntraProtocolError('invalid_grant', 50034, 'The user account does not exist in the directory.');
  return userTokens(context, tenantId, app, authentication, user, grant.scope, grant.nonce);
}

async function refreshToken(
  context: EntraContext,
  requestTenantId: string | undefined,
  app: RegisteredApp,
  authentication: ClientAuthentication,
  form: URLSearchParams,
): Promise<TokenResponseBody> {
  const presented = form.get('refresh_token');
  if (!presented) {
    throw EntraProtocolError.missingParameter('refresh_token');
  }
  // Entra marks refresh-token failures with suberror bad_token: MSAL then raises InteractionRequiredAuthError.
  const redeemed = context.refreshTokens.redeem(presented, (grant) => belongsTo(grant, app, requestTenantId));
  switch (redeemed.status) {
    case 'ok':
      break;
    case 'expired':
      throw new EntraProtocolError(
        'invalid_grant',
        700082,
        'The refresh token has expired due to inactivity.',
        400,
        'bad_token',
      );
    case 'revoked':
      throw new EntraProtocolError(
        'invalid_grant',
        50173,
        'The provided grant has expired due to it being revoked, a fresh auth token is needed.',
        400,
        'bad_token',
      );
    case 'used':
      throw new EntraProtocolError(
        'invalid_grant',
        70000,
        'Provided grant is invalid or malformed (the refresh token was already redeemed and rotated).',
        400,
        'bad_token',
      );
    case 'mismatch':
      throw new EntraProtocolError(
        'invalid_grant',
        70000,
        'Provided grant is invalid or malformed (the refresh token was issued to another client).',
        400,
        'bad_token',
      );
    default:
      throw new EntraProtocolError(
        'invalid_grant',
        9002313,
        'Invalid request. Request is malformed or invalid (the refresh token is not valid).',
        400,
        'bad_token',
      );
  }
  const tenantId = redeemed.grant.tenantId;
  const user = context.directory.user(tenantId, redeemed.grant.userOid);
  if (!user)
    throw new EntraProtocolError('invalid_grant', 50034, 'The user account does not exist in the directory.');
  return userTokens(
    context,
    tenantId,
    app,
    authentication,
    user,
    form.get('scope') || redeemed.grant.scope,
    undefined,
  );
}

/** A code or refresh token is the caller's: same app, and same tenant unless asked on `/common`. */
function belongsTo(
  grant: { clientId: string; tenantId: string },
  app: RegisteredApp,
  requestTenantId: string | undefined,
): boolean {
  return (
    grant.clientId === app.clientId && (requestTenantId === undefined || grant.tenantId === requestTenantId)
  );
}

async function userTokens(
  context: EntraContext,
  tenantId: string,
  app: RegisteredApp,
  authentication: ClientAuthentication,
  user: RegisteredUser,
  scope: string,
  nonce: string | undefined,
): Promise<TokenResponseBody> {
  const parsed = parseScope(context.directory, tenantId, scope, false);
  const token = await context.issuer.accessToken({
    tenantId,
    resource: parsed.resource,
    audience: parsed.audience,
    version: app.accessTokenVersion ?? context.settings.accessTokenVersion,
    lifetimeSec: user.tokenLifetimeSec ?? app.tokenLifetimeSec ?? context.settings.tokenLifetimeSec,
    subject: {
      kind: 'user',
      clientId: app.clientId,
      user,
      appidacr: authentication.acr,
      scope: scpClaim(parsed.permissions),
    },
  });
  const idToken = await context.issuer.idToken({
    tenantId,
    clientId: app.clientId,
    user,
    nonce,
    lifetimeSec: context.settings.idTokenLifetimeSec,
  });
  const grantedScope = scope
    .split(/\s+/)
    .filter((name) => name && name !== 'offline_access')
    .join(' ');
  return {
    token_type: 'Bearer',
    scope: grantedScope,
    expires_in: token.expiresInSec,
    ext_expires_in: token.expiresInSec,
    access_token: token.accessToken,
    refresh_token: context.refreshTokens.issue({
      tenantId,
      clientId: app.clientId,
      userOid: user.oid,
      scope,
    }),
    id_token: idToken,
    client_info: clientInfo(user.oid, tenantId),
  };
}
