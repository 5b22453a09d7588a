export { describeGcpError, toGcpIdentityProviderError } from './classify-error';
export { GcpIamErrorCode } from './error-codes';
export {
  CLOUD_PLATFORM_SCOPE,
  createMemorystoreIamProvider,
  MemorystoreCredentialsProvider,
  type MemorystoreIamProviderOptions,
} from './memorystore-credentials-provider';
export {
  type AccessTokenClient,
  type AccessTokenSource,
  FALLBACK_TOKEN_LIFETIME_MS,
  MemorystoreIdentityProvider,
} from './memorystore-identity-provider';
export {
  createReconnectBackoff,
  DEFAULT_RECONNECT_BACKOFF,
  type ReconnectBackoff,
  type ReconnectBackoffOptions,
} from './reconnect-backoff';
