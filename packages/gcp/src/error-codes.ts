/** Stable `code` values of the IdentityProviderErrors `@authx/gcp` throws. */
export const GcpIamErrorCode = {
  /** The metadata server / token endpoint could not be reached, timed out, or answered 5xx / 408. Transient. */
  METADATA_UNAVAILABLE: 'GCP_METADATA_UNAVAILABLE',
  /** HTTP 429 from the metadata server or the token endpoint. Transient. */
  THROTTLED: 'GCP_THROTTLED',
  /**
   * Google refused: HTTP 401 / 403 / 404 (e.g. the service account is not on the instance, or lacks
   * the scope), `invalid_grant` (revoked key or refresh token), `unauthorized_client`. Permanent.
   */
  CREDENTIALS_REJECTED: 'GCP_CREDENTIALS_REJECTED',
  /** Application Default Credentials found nothing ("Could not load the default credentials"). Permanent. */
  NO_CREDENTIALS: 'GCP_NO_CREDENTIALS',
  /** google-auth-library returned no access token, or one already expired. Transient. */
  INVALID_TOKEN_RESPONSE: 'GCP_INVALID_TOKEN_RESPONSE',
  /** The request was aborted (request timeout or dispose) before the library answered. Transient. */
  REQUEST_ABORTED: 'GCP_REQUEST_ABORTED',
  /** Anything not recognised above. Transient (token-core still bounds the attempts). */
  UNKNOWN: 'GCP_UNKNOWN_ERROR',
} as const;

export type GcpIamErrorCode = (typeof GcpIamErrorCode)[keyof typeof GcpIamErrorCode];
