export { type BindCredentialsOptions, bindCredentials, createIoredisAuth } from './bind-credentials';
export type {
  BindingHealth as IoredisAuthHealth,
  CredentialsGeneration,
  HealthCredentials,
  CredentialsListener,
  CredentialsSourceState,
  StreamingProvider,
} from '@authx/token-core';
export {
  HostNotAllowedError,
  INSECURE_TRANSPORT_WARNING_CODE,
  InsecureTransportError,
  jwtExpiresAtMs,
} from '@authx/token-core';
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
