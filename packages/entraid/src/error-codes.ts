/** Stable `code` values of the IdentityProviderErrors this package throws. */
export const EntraIdErrorCode = {
  /** Connection refused/reset, DNS failure, aborted socket (MSAL `network_error`). Transient. */
  NETWORK_ERROR: 'ENTRA_NETWORK_ERROR',
  /** Authority / OIDC metadata could not be resolved (MSAL `endpoints_resolution_error`). Transient. */
  DISCOVERY_FAILED: 'ENTRA_DISCOVERY_FAILED',
  /** HTTP 429, or MSAL refusing locally inside its throttle window. Transient; honours Retry-After. */
  THROTTLED: 'ENTRA_THROTTLED',
  /** HTTP 408 or 5xx, or an unparsable (e.g. HTML) error body. Transient. */
  SERVER_UNAVAILABLE: 'ENTRA_SERVER_UNAVAILABLE',
  /**
   * Managed identity endpoint unreachable or answering 404/408/410/429/5xx (warm-up, identity
   * propagation, IMDS upgrade, throttling), or MSAL's managed-identity timeout. Transient.
   */
  MANAGED_IDENTITY_UNAVAILABLE: 'ENTRA_MANAGED_IDENTITY_UNAVAILABLE',
  /** @azure/identity found no usable credential (or the endpoint was unreachable). Transient. */
  CREDENTIAL_UNAVAILABLE: 'ENTRA_CREDENTIAL_UNAVAILABLE',
  /** Client authentication failed: wrong secret, unknown certificate, unknown client (`invalid_client`). Permanent. */
  INVALID_CLIENT: 'ENTRA_INVALID_CLIENT',
  /** Code, refresh token or assertion rejected (`invalid_grant`, interaction required). Permanent. */
  INVALID_GRANT: 'ENTRA_INVALID_GRANT',
  /** Scope or resource not accepted (`invalid_scope`). Permanent. */
  INVALID_SCOPE: 'ENTRA_INVALID_SCOPE',
  /** Any other 4xx refusal by the identity provider (for managed identity: e.g. an unknown identity, 400). Permanent. */
  REQUEST_REJECTED: 'ENTRA_REQUEST_REJECTED',
  /** MSAL refused its configuration (ClientConfigurationError, ManagedIdentityError). Permanent. */
  CONFIGURATION_ERROR: 'ENTRA_CONFIGURATION_ERROR',
  /** The IdP answered without a usable token (empty access token, missing or past expiry). Transient. */
  INVALID_TOKEN_RESPONSE: 'ENTRA_INVALID_TOKEN_RESPONSE',
  /** The token has no `oid` claim, which the default credentials mapper needs as username. Permanent. */
  MISSING_OID_CLAIM: 'ENTRA_MISSING_OID_CLAIM',
  /**
   * The token's `aud` is not one of the expected audiences (default: the Redis ones) — e.g. a
   * Microsoft Graph token from a wrong scope. Never sent to Redis. Permanent.
   */
  WRONG_AUDIENCE: 'WRONG_AUDIENCE',
  /** The attempt was aborted (request timeout or dispose) before the IdP answered. Transient. */
  REQUEST_ABORTED: 'ENTRA_REQUEST_ABORTED',
  /** Anything not recognised above. Transient (token-core still bounds the attempts). */
  UNKNOWN: 'ENTRA_UNKNOWN_ERROR',
} as const;

export type EntraIdErrorCode = (typeof EntraIdErrorCode)[keyof typeof EntraIdErrorCode];
