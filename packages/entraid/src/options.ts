import type { Clock, TokenManagerConfig } from '@authx/token-core';
import type { CacheOptions, NodeAuthOptions, NodeSystemOptions } from '@azure/msal-node';
import type { AuthorityConfig } from './authority';
import type { CredentialsMapper } from './credentials-mapper';
import type { EntraIdLogger, EntraIdLogLevel } from './logger';

/**
 * Extra MSAL configuration, merged over what the factory builds (escape hatch). `system.networkClient`
 * replaces the HTTP client (still observed for Retry-After); `auth.knownAuthorities` is added to the
 * computed ones. For managed identity, MSAL fixes the network client process-wide at the first request.
 */
export interface MsalConfigOverrides {
  auth?: Pick<
    NodeAuthOptions,
    | 'knownAuthorities'
    | 'authorityMetadata'
    | 'cloudDiscoveryMetadata'
    | 'clientCapabilities'
    | 'azureCloudOptions'
  >;
  system?: NodeSystemOptions;
  cache?: CacheOptions;
}

/** Options shared by every factory method (the @redis/entraid `CredentialParams`, extended). */
export interface BaseProviderOptions {
  /**
   * When and how tokens are refreshed and failed requests retried (token-core `TokenManagerConfig`).
   * Default: refresh at 70 % of the lifetime, 3 retries from 1 s with Entra-aware classification.
   * A `retry.isRetryable` of yours receives what MSAL / the TokenCredential threw (as with
   * @redis/entraid); `toIdentityProviderError(error, { flow, managedIdentity })` gives this package's verdict on it.
   */
  tokenManagerConfig?: TokenManagerConfig;
  /** Called when re-authenticating a live connection with a new token fails. Default: ignore (events still fire). */
  onReAuthenticationError?: (error: Error) => void;
  /** Called for each transient failure that will be retried. Default: none. */
  onRetryableError?: (error: Error) => void;
  /**
   * Maps a token to Redis credentials. Default {@link OID_CREDENTIALS_MAPPER}: username = the access
   * token's `oid` claim, password = the access token (a token without `oid` is a permanent error).
   */
  credentialsMapper?: CredentialsMapper;
  /** Receives MSAL's log lines (PII off, secrets redacted); `console` fits. Default: no logging. */
  logger?: EntraIdLogger;
  /** Most detailed MSAL level forwarded to `logger`: 'error' | 'warning' | 'info' | 'verbose'. Default 'warning'. */
  logLevel?: EntraIdLogLevel;
  /**
   * Accepted `aud` claims of the access tokens. Each fresh token is checked before it is handed out;
   * a token for another resource fails with code `WRONG_AUDIENCE` (permanent) and never reaches
   * Redis. Default the Redis audiences: `https://redis.azure.com`, `https://redis.azure.com/` and
   * the Redis app id `acca5fbb-b7e4-4009-81f1-37e38fd66d78` — whatever the configured scopes, since a
   * wrong scope is the mistake this check catches. Set it for a sovereign cloud or a custom resource.
   */
  expectedAudiences?: string[];
  /** Clock for token-core's timers (tests). Default: the system clock. */
  clock?: Clock;
}

/** Options of the MSAL-based flows. */
export interface MsalProviderOptions extends BaseProviderOptions {
  /**
   * Scopes requested. Default `['https://redis.azure.com/.default']`. For managed identity the first
   * scope is sent as resource without `/.default` (default resource `https://redis.azure.com`); others
   * are ignored, as @redis/entraid does.
   */
  scopes?: string[];
  /** Extra MSAL configuration merged over the built one. */
  msalConfig?: MsalConfigOverrides;
}

/** Options of the app-registration flows (client secret, certificate, authorization code). */
export interface AppRegistrationOptions extends MsalProviderOptions {
  /** Application (client) id of the app registration. Required. */
  clientId: string;
  /**
   * Which authority to use. Default `{ type: 'default' }` (the `common` endpoint), which only the
   * authorization-code flow can use: app-only flows need `multi-tenant` (tenantId) or `custom`.
   */
  authorityConfig?: AuthorityConfig;
}
