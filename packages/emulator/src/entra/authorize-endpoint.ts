import type { RegisteredApp, RegisteredUser } from './directory';
import {
  type EntraContext,
  isMultiTenantSegment,
  requireApp,
  requireMultiTenantApp,
  requireTenant,
} from './entra-context';
import { EntraProtocolError } from './entra-error-response';
import { parseScope } from './scopes';
import { clientInfo } from './token-issuer';

/** Where the browser is sent: a redirect to the client, or an error page when the redirect URI is untrusted. */
export type AuthorizeOutcome =
  | { kind: 'redirect'; location: string }
  | { kind: 'error'; error: EntraProtocolError };

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Entra matches registered loopback redirect URIs on any port (RFC 8252 §7.3). */
export function redirectUriRegistered(app: RegisteredApp, redirectUri: string): boolean {
  if (app.redirectUris.includes(redirectUri)) return true;
  let requested: URL;
  try {
    requested = new URL(redirectUri);
  } catch {
    return false;
  }
  if (requested.protocol !== 'http:' || !LOOPBACK_HOSTS.has(requested.hostname)) return false;
  return app.redirectUris.some((registered) => {
    const candidate = new URL(registered);
    return (
      candidate.protocol === 'http:' &&
      candidate.hostname === requested.hostname &&
      candidate.pathname === requested.pathname &&
      candidate.port === ''
    );
  });
}

/** Who signs in: the `login_hint` user, else `signedInUser`, else the tenant's first user (any tenant's on `/common`). */
function signedInUser(
  context: EntraContext,
  tenantId: string | undefined,
  homeTenantId: string,
  loginHint: string | null,
): RegisteredUser | undefined {
  const { directory, settings } = context;
  const find = (upnOrOid: string) =>
    tenantId === undefined ? directory.findUserAnywhere(upnOrOid) : directory.findUser(tenantId, upnOrOid);
  return (
    (loginHint ? find(loginHint) : undefined) ??
    (settings.signedInUser ? find(settings.signedInUser) : undefined) ??
    directory.users(tenantId ?? homeTenantId)[0]
  );
}

/**
 * GET /{tenant}/oauth2/v2.0/authorize: signs the configured user in without a page (consent is
 * implied) and redirects to `redirect_uri` with `code` and `state`.
 */
export function handleAuthorizeRequest(
  context: EntraContext,
  tenantSegment: string,
  query: URLSearchParams,
): AuthorizeOutcome {
  let app: RegisteredApp;
  // Undefined on /common and /organizations: the signed-in user's tenant.
  let tenantId: string | undefined;
  const redirectUri = query.get('redirect_uri') ?? '';
  try {
    if (isMultiTenantSegment(tenantSegment)) {
      app = requireMultiTenantApp(context, tenantSegment, query.get('client_id'));
    } else {
      tenantId = requireTenant(context, tenantSegment);
      app = requireApp(context, tenantId, query.get('client_id'));
    }
    if (!redirectUriRegistered(app, redirectUri)) {
      throw new EntraProtocolError(
        'invalid_request',
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${app.clientId}'.`,
      );
    }
  } catch (error) {
    if (error instanceof EntraProtocolError) return { kind: 'error', error };
    throw error;
  }
  const responseMode = query.get('response_mode') === 'fragment' ? '#' : '?';
  const back = (params: Record<string, string>) => {
    const state = query.get('state');
    const search = new URLSearchParams({ ...params, ...(state !== null ? { state } : {}) });
    return { kind: 'redirect' as const, location: `${redirectUri}${responseMode}${search.toString()}` };
  };
  const fail = (error: EntraProtocolError) =>
    back({ error: error.error, error_description: `AADSTS${error.aadsts}: ${error.message}` });
  try {
    if (query.get('response_type') !== 'code') {
      throw new EntraProtocolError(
        'unsupported_response_type',
        700054,
        `response_type '${query.get('response_type') ?? ''}' is not enabled for the application; use 'code'.`,
      );
    }
    const scope = query.get('scope');
    parseScope(context.directory, tenantId ?? tenantSegment, scope, false);
    const challenge = query.get('code_challenge') ?? undefined;
    const method = query.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
    if (method !== undefined && method !== 'S256' && method !== 'plain') {
      throw new EntraProtocolError(
        'invalid_request',
        501491,
        `Invalid code_challenge_method '${method}'; use 'S256'.`,
      );
    }
    const user = signedInUser(context, tenantId, app.tenantId, query.get('login_hint'));
    if (!user)
      throw new EntraProtocolError('interaction_required', 50058, 'No user is configured to sign in.');
    const code = context.codes.issue({
      tenantId: user.tenantId,
      clientId: app.clientId,
      redirectUri,
      userOid: user.oid,
      scope: scope!,
      nonce: query.get('nonce') ?? undefined,
      codeChallenge: challenge,
      codeChallengeMethod: method as 'S256' | 'plain' | undefined,
    });
    return back({ code, client_info: clientInfo(user.oid, user.tenantId) });
  } catch (error) {
    if (error instanceof EntraProtocolError) return fail(error);
    throw error;
  }
}
