import { REDIS_SCOPE_DEFAULT } from '../constants';
import { EntraIdentityProvider } from '../identity-providers/entra-identity-provider';
import { invalidOption } from '../invalid-option';
import type { BaseProviderOptions } from '../options';
import { createRedactor } from '../redact';
import type { AccessToken, GetTokenOptions, TokenCredential } from '../token-credential';
import { optionalObject, scopesOption } from '../validate';

/** Options of the TokenCredential flow (@redis/entraid `DefaultAzureCredentialsParams`). */
export interface DefaultAzureCredentialsParams extends BaseProviderOptions {
  /** Any @azure/identity credential (DefaultAzureCredential, WorkloadIdentityCredential, …). Required. */
  credential: TokenCredential;
  /** Scopes passed to getToken. Default 'https://redis.azure.com/.default'. */
  scopes?: string | string[];
  /** Extra getToken options (tenantId, claims, …); `abortSignal` is set per request. */
  options?: GetTokenOptions;
}

/**
 * Wraps a TokenCredential. Credentials keep their own cache and hand out a cached token until it
 * is within about 5 minutes of expiry (or until `refreshAfterTimestamp`), so an early refresh may
 * return the same token: token-core then schedules by `refreshAfterTimestamp` where the credential
 * gives one, else asks again as expiry nears, and never re-sends the same token to connections.
 */
export function createTokenCredentialIdentityProvider(
  params: DefaultAzureCredentialsParams,
  requireOid: boolean,
): EntraIdentityProvider<AccessToken> {
  const credential = params.credential;
  if (typeof credential !== 'object' || credential === null || typeof credential.getToken !== 'function') {
    throw invalidOption(
      'credential',
      'a TokenCredential (an object with getToken(scopes, options)), e.g. new DefaultAzureCredential()',
      credential,
    );
  }
  const scopes = scopesOption('scopes', params.scopes, [REDIS_SCOPE_DEFAULT]);
  const getTokenOptions = optionalObject<GetTokenOptions>('options', params.options) ?? {};
  return new EntraIdentityProvider<AccessToken>({
    flow: `TokenCredential (${credential.constructor?.name ?? 'custom'})`,
    acquire: (signal) =>
      credential.getToken(scopes, { ...getTokenOptions, ...(signal ? { abortSignal: signal } : {}) }),
    read: (token) => ({
      accessToken: token.token,
      expiresAtMs: token.expiresOnTimestamp,
      refreshAtMs: token.refreshAfterTimestamp,
    }),
    requireOid,
    redact: createRedactor([]),
  });
}
