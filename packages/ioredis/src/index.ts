export { type BindCredentialsOptions, bindCredentials, createIoredisAuth } from './bind-credentials';
export type {
  CredentialsGeneration,
  CredentialsListener,
  CredentialsSourceState,
  StreamingProvider,
} from '@authx/token-core';
export { jwtExpiresAtMs } from '@authx/token-core';
export {
  AlreadyBoundError,
  BindingDisposedError,
  CredentialsProviderError,
  CredentialsUnavailableError,
  IoredisAuthErrorCode,
  PubSubRotationError,
  ReauthenticationError,
  UnsupportedTargetError,
} from './errors';
export {
  IOREDIS_DIAGNOSTICS_CHANNELS,
  type IoredisAuthEventName,
  type IoredisAuthEvents,
  type ReauthDeferralReason,
} from './events';
export { type BindOptions, type ConnectionStatus, IoredisAuth } from './ioredis-auth';
export { DEFAULT_IOREDIS_AUTH_OPTIONS, type IoredisAuthOptions } from './options';
