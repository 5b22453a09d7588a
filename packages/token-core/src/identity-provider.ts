/** What an identity provider returns: its native token and how long it stays valid. */
export interface TokenResponse<T> {
  /** The identity provider's native token (e.g. an MSAL AuthenticationResult or an access token string). */
  token: T;
  /** Time to live in milliseconds, counted from the moment the response was received. */
  ttlMs: number;
  /**
   * The identity provider's own renewal hint, in milliseconds from receipt: before then a request
   * would return this same token (e.g. `@azure/identity`'s `refreshAfterTimestamp`, MSAL's
   * `refreshOn`). Optional; the refresh is then scheduled no earlier than the hint. A value that is
   * not a finite number in [0, ttlMs) is ignored.
   */
  refreshAfterMs?: number;
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
  /**
   * True when `next` is the token `previous` again (an identity provider that caches, such as a
   * managed identity endpoint, hands out the same token until close to its expiry). Optional;
   * default `Object.is`, which is exact for string tokens. A repeated token is never passed on as
   * a new one: the manager keeps the token it has and asks again later (see `TokenManager`).
   */
  isSameToken?(previous: T, next: T): boolean;
}
