export { bindCredentials, type BindCredentialsOptions, createRedisAuth } from './bind-credentials';
export { blockingTimeoutMs, type CommandKind, commandKind } from './command-kinds';
export type { RedisArgs } from './redis-shapes';
export type { CredentialsGeneration, CredentialsSourceState } from '@authx/token-core';
export { REDIS_AUTH_DIAGNOSTICS_CHANNELS } from './diagnostics';
export {
  AlreadyBoundError,
  BindingDisposedError,
  CredentialsProviderError,
  CredentialsUnavailableError,
  HostNotAllowedError,
  InsecureTransportError,
  PubSubRotationError,
  ReauthenticationError,
  RedisAuthErrorCode,
  UnsupportedTargetError,
} from './errors';
export type { ReauthDeferralReason, RedisAuthEventName, RedisAuthEvents } from './events';
export { computeHealth, type HealthCredentials, type RedisAuthHealth } from './health';
export { jwtExpiresAtMs } from './jwt-expiry';
export { DEFAULT_REDIS_AUTH_OPTIONS, type RedisAuthOptions } from './options';
export { INSECURE_TRANSPORT_WARNING_CODE } from './transport';
export type { AsyncCredentialsProvider, CredentialsListener, StreamingProvider } from './provider';
export { type BindOptions, type ConnectionStatus, RedisAuth } from './redis-auth';
