/** What an identity provider returns: its native token and how long it stays valid. */
export interface TokenResponse<T> {
  /** The identity provider's native token (e.g. an MSAL AuthenticationResult or an access token string). */
  token: T;
  /** Time to live in milliseconds, counted from the moment the response was received. */
  ttlMs: number;
}

/**
 * Obtains tokens from an identity provider (Entra ID, any OAuth server, a vault, …).
 *
 * Implementations should honour `signal`: the token manager aborts it when a request exceeds
 * `requestTimeoutMs` or when the manager stops. Throw an `IdentityProviderError` (or any error with a
 * boolean `isRetryable` and optional `retryAfterMs`) to tell the retry policy what kind of failure it was.
 */
export interface IdentityProvider<T> {
  requestToken(signal?: AbortSignal): Promise<TokenResponse<T>>;
}
