import { AuthxError, IdentityProviderError, raceAbort as raceAbortCore } from '@authx/token-core';
import { EntraIdErrorCode } from '../error-codes';

/**
 * Settles with `work`, or rejects as soon as `signal` aborts: MSAL calls take no AbortSignal, so a
 * hung call is left behind (its late result or error is swallowed) rather than waited for.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined, flow: string): Promise<T> {
  return raceAbortCore(work, signal, () => abortError(signal as AbortSignal, flow));
}

function abortError(signal: AbortSignal, flow: string): Error {
  const reason: unknown = signal.reason;
  // token-core aborts with its own typed error (e.g. RequestTimeoutError): pass it on unchanged.
  if (AuthxError.isInstance(reason)) return reason as AuthxError;
  return new IdentityProviderError(
    `Entra ID ${flow}: the token request was aborted before the identity provider answered`,
    {
      code: EntraIdErrorCode.REQUEST_ABORTED,
      isRetryable: true,
      cause: reason,
    },
  );
}
