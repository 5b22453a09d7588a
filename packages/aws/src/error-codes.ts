/** Stable `code` values of the IdentityProviderErrors `@authx/aws` throws. */
export const AwsIamErrorCode = {
  /**
   * The credentials provider could not reach its source: connection refused / reset / timed out,
   * an HTTP 5xx or 408 from the container or instance metadata endpoint or STS. Transient.
   */
  CREDENTIALS_UNAVAILABLE: 'AWS_CREDENTIALS_UNAVAILABLE',
  /** Throttled by the credentials source (HTTP 429, `Throttling`, `RequestLimitExceeded`, …). Transient. */
  CREDENTIALS_THROTTLED: 'AWS_CREDENTIALS_THROTTLED',
  /**
   * The credentials source refused: an HTTP 4xx from the container endpoint (bad authorization
   * token), `AccessDenied`, `InvalidClientTokenId`, `ExpiredToken` from STS, a bad web identity. Permanent.
   */
  CREDENTIALS_REJECTED: 'AWS_CREDENTIALS_REJECTED',
  /**
   * `fromNodeProviderChain()` found no credentials: "Could not load credentials from any providers"
   * — nothing configured, or every source (also an unreachable container / instance endpoint)
   * failed. Permanent (recovery still asks again, 1 s doubling to 30 s).
   */
  NO_CREDENTIALS: 'AWS_NO_CREDENTIALS',
  /** The credentials provider returned something without `accessKeyId` / `secretAccessKey`. Permanent. */
  INVALID_CREDENTIALS: 'AWS_INVALID_CREDENTIALS',
  /** The credentials provider returned credentials that had already expired. Transient. */
  CREDENTIALS_EXPIRED: 'AWS_CREDENTIALS_EXPIRED',
  /** Presigning the token failed. Permanent. */
  SIGNING_FAILED: 'AWS_SIGNING_FAILED',
  /** The request was aborted (request timeout or dispose) before credentials arrived. Transient. */
  REQUEST_ABORTED: 'AWS_REQUEST_ABORTED',
  /** Anything not recognised above. Transient (token-core still bounds the attempts). */
  UNKNOWN: 'AWS_UNKNOWN_ERROR',
} as const;

export type AwsIamErrorCode = (typeof AwsIamErrorCode)[keyof typeof AwsIamErrorCode];
