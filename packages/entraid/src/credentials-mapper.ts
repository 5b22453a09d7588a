import type { BasicAuth } from '@authx/token-core';
import { IdentityProviderError } from '@authx/token-core';
import type { AuthenticationResult } from '@azure/msal-node';
import { EntraIdErrorCode } from './error-codes';
import { readObjectId } from './jwt-claims';
import type { AccessToken } from './token-credential';

/** A token as the identity providers of this package return it: MSAL's result or a TokenCredential's AccessToken. */
export type AuthenticationResponse = AuthenticationResult | AccessToken;

/** Turns a token into Redis credentials; receives the IdP's native token (as in @redis/entraid). */
export type CredentialsMapper = (token: AuthenticationResponse) => BasicAuth;

/** True when `auth` is an MSAL AuthenticationResult. */
export function isAuthenticationResult(auth: AuthenticationResponse): auth is AuthenticationResult {
  return typeof (auth as AuthenticationResult).accessToken === 'string' && !('token' in auth);
}

/** True when `auth` is an @azure/identity AccessToken. */
export function isAccessToken(auth: AuthenticationResponse): auth is AccessToken {
  return typeof (auth as AccessToken).token === 'string' && !('accessToken' in auth);
}

/** The raw access token of either shape. */
export function accessTokenOf(auth: AuthenticationResponse): string {
  return isAuthenticationResult(auth) ? auth.accessToken : (auth as AccessToken).token;
}

/** Error for a token that carries no `oid` claim. Permanent: asking again yields the same kind of token. */
export function missingOidError(): IdentityProviderError {
  return new IdentityProviderError(
    "Entra ID token has no 'oid' claim, which the default credentials mapper uses as the Redis username; pass a credentialsMapper that knows which claim to use",
    { code: EntraIdErrorCode.MISSING_OID_CLAIM, isRetryable: false },
  );
}

/** `{ username: <oid claim of the access token>, password: <access token> }` — what Azure Cache for Redis expects. */
export const OID_CREDENTIALS_MAPPER: CredentialsMapper = (token) => {
  const password = accessTokenOf(token);
  const username = readObjectId(password);
  if (username === undefined) throw missingOidError();
  return { username, password };
};

/** The mapper used when none is given: {@link OID_CREDENTIALS_MAPPER}. */
export const DEFAULT_CREDENTIALS_MAPPER: CredentialsMapper = OID_CREDENTIALS_MAPPER;
