export {
  type AuthorityConfig,
  type ResolveAuthorityOptions,
  type ResolvedAuthority,
  resolveAuthority,
} from './authority';
export { type ClassifyOptions, toIdentityProviderError } from './classify-error';
export { AZURE_AUTHORITY_HOSTS, type AzureCloud, REDIS_SCOPE, REDIS_SCOPE_DEFAULT } from './constants';
export {
  type AuthenticationResponse,
  type CredentialsMapper,
  DEFAULT_CREDENTIALS_MAPPER,
  isAccessToken,
  isAuthenticationResult,
  OID_CREDENTIALS_MAPPER,
} from './credentials-mapper';
export {
  type ClientCredentialsWithCertificateParams,
  type ClientSecretCredentialsParams,
  EntraIdCredentialsProviderFactory,
} from './entra-id-credentials-provider-factory';
export { EntraidCredentialsProvider } from './entraid-credentials-provider';
export { REDIS_AUDIENCES } from './audience';
export { ENTRAID_DIAGNOSTICS_CHANNELS, type EntraTokenRequestMessage } from './diagnostics';
export { EntraIdErrorCode } from './error-codes';
export { AuthCodeFlowHelper, type AuthCodeFlowHelperParams } from './flows/auth-code-flow-helper';
export type {
  AuthCodePKCEFlow,
  AuthCodePKCEParams,
  PKCECodes,
  PKCEParams,
} from './flows/authorization-code-pkce';
export type { ClientCertificateOptions } from './flows/client-certificate';
export type { ManagedIdentityOptions, UserAssignedManagedIdentityOptions } from './flows/managed-identity';
export type { DefaultAzureCredentialsParams } from './flows/token-credential';
export { MSALIdentityProvider } from './identity-providers/msal-identity-provider';
export type { EntraIdLogger, EntraIdLogLevel } from './logger';
export {
  type FetchDispatcher,
  FetchNetworkClient,
  type FetchNetworkClientOptions,
} from './network/fetch-network-client';
export type {
  AppRegistrationOptions,
  BaseProviderOptions,
  MsalConfigOverrides,
  MsalProviderOptions,
} from './options';
export type { AccessToken, GetTokenOptions, TokenCredential } from './token-credential';
// Seed (@redis/entraid) exports: the token-core defaults and types it re-exported from node-redis.
export {
  type BasicAuth,
  DEFAULT_RETRY_POLICY,
  DEFAULT_TOKEN_MANAGER_CONFIG,
  IdentityProviderError,
  InvalidOptionError,
  type RetryPolicy,
  type TokenManagerConfig,
} from '@authx/token-core';
export {
  DOCTOR_USAGE,
  type DoctorFlow,
  type DoctorInput,
  type DoctorReport,
  formatJson as formatDoctorJson,
  formatStep as formatDoctorStep,
  formatSummary as formatDoctorSummary,
  type InputSource as DoctorInputSource,
  type ParsedDoctorArgs,
  parseDoctorArgs,
  type RefreshPlan,
  refreshPlan,
  type RunDoctorOptions,
  runDoctor,
  type StepId as DoctorStepId,
  type StepResult as DoctorStepResult,
} from './doctor';
