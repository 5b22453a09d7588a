export {
  type ClientCertificate,
  type ClientCertificateIssuer,
  type ClientCertificateOptions,
  certificateThumbprints,
  createClientCertificate,
  createClientCertificateIssuer,
} from '../tls';
export * from './defaults';
export type { EntraPrincipal } from './directory';
export { startEntraEmulator } from './entra-emulator';
export {
  type EmulatorIdentityOptions,
  type EmulatorMsalConfig,
  type EntraEmulator,
  type IssueAccessTokenOptions,
  type IssuedToken,
  MANAGED_IDENTITY_ENV_VARS,
} from './entra-emulator-api';
export { EntraEmulatorError, EntraEmulatorErrorCode } from './emulator-error';
export type { EntraErrorBody } from './entra-error-response';
export type { FaultSpec, InjectedFault } from './fault-injector';
export type { FederatedTokenOptions } from './federated-issuer';
export type { ManagedIdentitySource } from './managed-identity-endpoint';
export {
  DEFAULT_MI_RENEWAL_WINDOW_SEC,
  DEFAULT_MI_RENEWAL_WINDOW_SHARE,
} from './managed-identity-token-cache';
export {
  createMsalNetworkClient,
  type MsalNetworkClientOptions,
  MsalNetworkClientError,
  type MsalNetworkModule,
  type MsalNetworkRequestOptions,
  type MsalNetworkResponse,
} from './msal-network-client';
export type * from './options';
export type { EntraEndpoint, RequestLogEntry } from './request-log';
export type { JsonWebKeySet } from './signing-key-ring';
