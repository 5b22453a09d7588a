import type { ManagedIdentityTokenCacheOptions } from './managed-identity-token-cache';

/** Options of {@link startEntraEmulator}. Every list replaces its default when given. */
export interface EntraEmulatorOptions {
  /** Address both listeners bind to; default `127.0.0.1`. */
  host?: string;
  /** HTTPS port of the authority; default `0` (a free port chosen by the OS). */
  port?: number;
  /** Plain-HTTP port of the managed identity endpoints; default `0` (a free port). */
  managedIdentityPort?: number;
  /** Tenants; default one tenant, {@link DEFAULT_TENANT_ID}. */
  tenants?: TenantConfig[];
  /** App registrations; default one confidential + public app, {@link DEFAULT_CLIENT_ID}. */
  apps?: AppConfig[];
  /** Users; default one user, `alice@authx.example` ({@link DEFAULT_USER_OID}). */
  users?: UserConfig[];
  /** Managed identities; default one system-assigned and one user-assigned identity. */
  managedIdentities?: ManagedIdentityConfig[];
  /**
   * Extra issuers whose JWTs are accepted as federated credentials (workload identity), each with
   * its public JWKS. The emulator's own issuer ({@link EntraEmulator.federatedIssuer}) is always trusted.
   */
  trustedIssuers?: TrustedIssuerConfig[];
  /** Resources tokens can be requested for; default Azure Cache for Redis ({@link REDIS_RESOURCE}). */
  resources?: ResourceConfig[];
  /**
   * Access-token lifetime in seconds, for every identity that sets none; default 3600. Fractions
   * are allowed: `exp` is whole seconds, rounded up, so a token lives at least this long and less
   * than one second more.
   */
  tokenLifetimeSec?: number;
  /** Access-token format for identities that set none: 1 (`sts.windows.net` issuer, the Azure default for Redis) or 2; default 1. */
  accessTokenVersion?: AccessTokenVersion;
  /** ID-token lifetime in seconds; default 3600. */
  idTokenLifetimeSec?: number;
  /** Refresh-token lifetime in seconds; default 86400 (1 day). */
  refreshTokenLifetimeSec?: number;
  /**
   * Make refresh tokens single-use: a redeemed one is refused (`invalid_grant`, AADSTS70000,
   * `bad_token`); default false. Entra ID does not revoke a refresh token when it is used — each
   * response carries a new one, and the old one stays valid until it expires or is revoked — so
   * the default matches Azure; turn this on to prove a client always keeps the newest one.
   */
  refreshTokenRotation?: boolean;
  /** Authorization-code lifetime in seconds; default 600. */
  authorizationCodeLifetimeSec?: number;
  /** How long a rotated-out signing key stays in the JWKS, in seconds; default 3600. */
  previousKeyRetentionSec?: number;
  /**
   * Refuse a certificate assertion whose `jti` was seen before (AADSTS50027); default false.
   * Entra ID accepts a reused assertion — MSAL signs one and reuses it for up to 10 minutes — so
   * the default matches Azure; turn this on to prove a client signs a fresh assertion per request.
   */
  rejectReplayedAssertions?: boolean;
  /**
   * How the managed identity endpoints hand out tokens. Default `true`: as Azure's IMDS and App
   * Service do, one token per identity and resource is cached and returned to every request — a
   * client's force-refresh included — until the renewal window before its expiry (default
   * `min(300 s, lifetime / 4)`; `{ renewalWindowSec }` sets it). `false` issues a new token for
   * every request, which Azure never does: a leniency for tests that need it.
   */
  managedIdentityTokenCache?: boolean | ManagedIdentityTokenCacheOptions;
  /** App Service `X-IDENTITY-HEADER` secret; default a random UUID per start. */
  identityHeader?: string;
  /**
   * The user the authorize endpoint signs in (UPN or object id) when the request has no matching
   * `login_hint`; default the first user of the tenant.
   */
  signedInUser?: string;
  /** Clock in epoch milliseconds, read for every claim and expiry; default `Date.now`. */
  now?: () => number;
}

export type { ManagedIdentityTokenCacheOptions };

/** 1: `iss` = `https://sts.windows.net/{tid}/`, `aud` = resource URI; 2: `iss` = `{authority}/{tid}/v2.0`, `aud` = resource app id. */
export type AccessTokenVersion = 1 | 2;

/** A directory (tenant). */
export interface TenantConfig {
  /** Tenant id (GUID). */
  tenantId: string;
}

/** An app registration (with its service principal) in one tenant. */
export interface AppConfig {
  /** Application (client) id. */
  clientId: string;
  /** Tenant of the app; default the first tenant. */
  tenantId?: string;
  /** Object id of the app's service principal (the `oid` of app-only tokens); default derived from `clientId`. */
  objectId?: string;
  /** Client secrets accepted as `client_secret`; default none. */
  secrets?: string[];
  /**
   * PEM certificates whose keys may sign `client_assertion` JWTs (found by `x5t` / `x5t#S256`);
   * an assertion is refused while the certificate is expired or not yet valid, as on Entra. Default none.
   */
  certificates?: string[];
  /**
   * Subject name + issuer authentication (opt-in): certificates that are not registered but carry
   * this subject, issued by this CA, sent in the assertion's `x5c` header (MSAL: `clientCertificate.x5c`)
   * — what Entra calls `trustedCertificateSubjects`. The chain and the dates are checked. Default none.
   */
  trustedCertificateSubjects?: TrustedCertificateSubjectConfig[];
  /** Federated identity credentials (workload identity); default none. */
  federatedCredentials?: FederatedCredentialConfig[];
  /**
   * Redirect URIs for the authorization code flow. `http://localhost` / `http://127.0.0.1` URIs
   * match on any port, as Entra does for native apps. Default none.
   */
  redirectUris?: string[];
  /** Allows token requests without client authentication (native / public client); default false. */
  publicClient?: boolean;
  /**
   * Who may sign in: `AzureADMyOrg` (single tenant; the `/common` and `/organizations` authorities
   * refuse it with AADSTS50194, as Entra does for apps created since 2018) or `AzureADMultipleOrgs`
   * (any tenant; `/common` and `/organizations` work). Default `AzureADMyOrg`; the ready-made app
   * is `AzureADMultipleOrgs`.
   */
  signInAudience?: 'AzureADMyOrg' | 'AzureADMultipleOrgs';
  /** Access-token lifetime in seconds for tokens this app obtains; default the global `tokenLifetimeSec`. */
  tokenLifetimeSec?: number;
  /** Access-token format for this app's tokens; default the global `accessTokenVersion`. */
  accessTokenVersion?: AccessTokenVersion;
}

/** A certificate subject trusted for subject name + issuer authentication. */
export interface TrustedCertificateSubjectConfig {
  /** Subject distinguished name, e.g. `CN=my-app.example.com` (compared case-insensitively, RDN order ignored). */
  subjectName: string;
  /** PEM of the CA that must have issued the certificate (directly, or through `x5c` intermediates). */
  issuerCertificatePem: string;
}

/** A trusted external token (federated identity credential) for an app. */
export interface FederatedCredentialConfig {
  /** Issuer URL (`iss`); default the emulator's own federated issuer. */
  issuer?: string;
  /** Subject (`sub`), e.g. `system:serviceaccount:default:workload`. */
  subject: string;
  /** Accepted audiences; default `['api://AzureADTokenExchange']`. */
  audiences?: string[];
}

/** A user in one tenant. */
export interface UserConfig {
  /** Object id (GUID): `oid` claim, and the Redis username. */
  oid: string;
  /** User principal name: `upn` / `preferred_username`. */
  upn: string;
  /** Display name; default the part of `upn` before `@`. */
  name?: string;
  /** Tenant; default the first tenant. */
  tenantId?: string;
  /** Access-token lifetime in seconds for this user's tokens; overrides the app's and the global one. */
  tokenLifetimeSec?: number;
}

/** A managed identity, reachable through the App Service and IMDS endpoints. */
export interface ManagedIdentityConfig {
  /** `system` (at most one) or `user`. */
  kind: 'system' | 'user';
  /** Client id (`appid` claim; query `client_id`). */
  clientId: string;
  /** Object (principal) id (`oid` claim; query `object_id`). */
  objectId: string;
  /** ARM resource id (`xms_mirid` claim; query `mi_res_id` / `msi_res_id`); default a synthetic one. */
  resourceId?: string;
  /** Tenant; default the first tenant. */
  tenantId?: string;
  /** Access-token lifetime in seconds; default the global `tokenLifetimeSec`. */
  tokenLifetimeSec?: number;
}

/** An external OIDC issuer trusted for federated credentials. */
export interface TrustedIssuerConfig {
  /** Issuer URL, compared exactly with the assertion's `iss`. */
  issuer: string;
  /** The issuer's public keys (a JWKS document). */
  jwks: { keys: Record<string, unknown>[] };
}

/** A resource (API) tokens can be issued for. */
export interface ResourceConfig {
  /** Identifier URI: `aud` of v1 tokens, MI `resource`, scope prefix, e.g. `https://redis.azure.com`. */
  identifierUri: string;
  /** Application id of the resource: `aud` of v2 tokens, also accepted as scope prefix. */
  appId: string;
}
