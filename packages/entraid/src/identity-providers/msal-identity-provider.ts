import { inspect } from 'node:util';
import type { IdentityProvider, TokenResponse } from '@authx/token-core';
import type { AuthenticationResult } from '@azure/msal-node';
import { readMsalResult } from '../flows/read-msal-result';
import { invalidOption } from '../invalid-option';
import { createRedactor } from '../redact';
import { EntraIdentityProvider } from './entra-identity-provider';

/**
 * @redis/entraid's `MSALIdentityProvider`: a token-core IdentityProvider around any function that
 * returns an MSAL `AuthenticationResult` (e.g. `() => app.acquireTokenByClientCredential({ … })`),
 * for flows the factory does not cover. Use it with token-core's `TokenManager` or
 * `StreamingCredentialsProvider`.
 *
 * Unlike the seed's, a result is validated (non-empty token, expiry in the future) and a failure is
 * an `IdentityProviderError` classified by {@link toIdentityProviderError} (`code`, `isRetryable`,
 * the MSAL error as `cause`); a timed-out call is abandoned when token-core aborts it.
 */
export class MSALIdentityProvider implements IdentityProvider<AuthenticationResult> {
  readonly #inner: EntraIdentityProvider<AuthenticationResult>;

  /** `getToken` is called once per token request; MSAL calls take no AbortSignal. */
  constructor(getToken: () => Promise<AuthenticationResult | null>) {
    if (typeof getToken !== 'function') {
      throw invalidOption(
        'getToken',
        'a function returning a Promise of an MSAL AuthenticationResult',
        getToken,
      );
    }
    this.#inner = new EntraIdentityProvider<AuthenticationResult>({
      flow: 'MSAL',
      acquire: () => getToken(),
      read: readMsalResult,
      // The user chose the call and the credentials mapper; no claim is required here.
      requireOid: false,
      redact: createRedactor([]),
    });
  }

  requestToken(signal?: AbortSignal): Promise<TokenResponse<AuthenticationResult>> {
    return this.#inner.requestToken(signal);
  }

  toJSON(): Record<string, string> {
    return { type: 'MSALIdentityProvider' };
  }

  [inspect.custom](): string {
    return 'MSALIdentityProvider {}';
  }
}
