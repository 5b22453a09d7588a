export { type Clock, MAX_TIMER_DELAY_MS, systemClock, type TimerHandle } from './clock';
export {
  type CredentialsRecord,
  type CredentialsRecordEvent,
  type CredentialsStatus,
  type CredentialsStatusState,
  CredentialsStatusTracker,
  credentialsStatus,
  INITIAL_CREDENTIALS_RECORD,
  nextCredentialsRecord,
} from './credentials-status';
export {
  DIAGNOSTICS_CHANNELS,
  DIAGNOSTICS_SOURCE,
  diagnosticsSourceOf,
  publishDiagnostics,
  TokenCoreEventEmitter,
} from './diagnostics';
export { createDisposable, type Disposable } from './disposable';
export {
  AuthxError,
  CredentialsMappingError,
  DisposedError,
  ErrorCode,
  IdentityProviderError,
  type IdentityProviderErrorOptions,
  InvalidOptionError,
  InvalidTokenResponseError,
  RefreshFailedError,
  type RefreshFailureReason,
  RequestTimeoutError,
  TokenExpiredError,
  type ErrorClass,
} from './errors';
export type { TokenCoreEventName, TokenCoreEvents } from './events';
export type { IdentityProvider, TokenResponse } from './identity-provider';
export {
  DEFAULT_RECOVERY_POLICY,
  type RecoveryPolicyOptions,
  recoveryDelayMs,
  type ResolvedRecoveryPolicy,
  resolveRecoveryPolicy,
} from './recovery-policy';
export { raceAbort } from './race-abort';
export {
  computeRefreshAtMs,
  computeRepeatRequestAtMs,
  MAX_JITTER_SHARE_OF_LIFETIME,
  MIN_REPEAT_SHARE_OF_LIFETIME,
  REPEAT_REQUEST_SHARE_OF_TTL,
  type RefreshTiming,
  type RepeatRequestBasis,
} from './refresh-schedule';
export {
  DEFAULT_RETRY_POLICY,
  defaultIsRetryable,
  type ResolvedRetryPolicy,
  type RetryPolicy,
  type RetryPolicyOptions,
  resolveRetryPolicy,
  retryAfterMsOf,
  retryDelayMs,
} from './retry-policy';
export {
  type BasicAuth,
  type StreamingCredentialsListener,
  StreamingCredentialsProvider,
  type StreamingCredentialsProviderOptions,
} from './streaming-credentials-provider';
export { Token } from './token';
export { TokenManager, type TokenManagerListener, type TokenManagerOptions } from './token-manager';
export {
  DEFAULT_TOKEN_MANAGER_CONFIG,
  type ResolvedTokenManagerConfig,
  resolveTokenManagerConfig,
  type TokenManagerConfig,
} from './token-manager-config';
export { TypedEventEmitter, type TypedEvents } from './typed-events';
export {
  BindingDisposedError,
  BindingErrorCode,
  CredentialsProviderError,
  CredentialsUnavailableError,
  describeCause,
  HostNotAllowedError,
  InsecureTransportError,
  isCredentialsRefusal,
  PubSubRotationError,
  ReauthenticationError,
} from './binding/binding-errors';
export {
  type ConnectionEvent,
  type ConnectionState,
  type ConnectionStateKind,
  INITIAL_CONNECTION_STATE,
  nextConnectionState,
  serverGeneration,
} from './binding/connection-lifecycle';
export {
  type CredentialsGeneration,
  CredentialsSource,
  type CredentialsSourceOptions,
  type CredentialsSourceState,
} from './binding/credentials-source';
export { type BindingHealth, computeBindingHealth, type HealthCredentials } from './binding/binding-health';
export { ConnectionAge } from './binding/connection-age';
export {
  checkDestination,
  compileAllowedHosts,
  type Destination,
  type DestinationVerdict,
  type HostMatcher,
  isLoopbackHost,
  isSecureTransport,
  normalizeHost,
  type TransportPolicy,
} from './binding/transport-policy';
export {
  INSECURE_TRANSPORT_WARNING_CODE,
  resolveTransportPolicy,
  TransportGuard,
  type TransportOptions,
  type TransportRefusal,
} from './binding/transport-guard';
export {
  type CredentialsListener,
  isStreamingProvider,
  type StreamingProvider,
} from './binding/streaming-provider';
export {
  blockingTimeoutMs,
  type CommandArgs,
  type CommandKind,
  commandKind,
} from './binding/command-kinds';
export { jwtExpiresAtMs } from './binding/jwt-expiry';
