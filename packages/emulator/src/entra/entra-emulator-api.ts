import type { EntraPrincipal } from './directory';
import type { FaultSpec, InjectedFault } from './fault-injector';
import type { FederatedTokenOptions } from './federated-issuer';
import type { ManagedIdentitySource } from './managed-identity-endpoint';
import type { MsalNetworkModule } from './msal-network-client';
import type {
  AccessTokenVersion,
  AppConfig,
  ManagedIdentityConfig,
  ResourceConfig,
  UserConfig,
} from './options';
import type { RequestLogEntry } from './request-log';
import type { JsonWebKeySet } from './signing-key-ring';

/** The MSAL configuration pieces for an app registered in the emulator. */
export interface EmulatorMsalConfig {
  auth: { clientId: string; authority: string; knownAuthorities: string[] };
  system: { networkClient: MsalNetworkModule };
}

/** Options for @azure/identity credentials (`TokenCredentialOptions`) that reach the emulator. */
export interface EmulatorIdentityOptions {
  authorityHost: string;
  /** Trust the emulator CA in the credential's HTTP pipeline. */
  tlsOptions: { ca: string };
  disableInstanceDiscovery: true;
}

/** Options of {@link EntraEmulator.issueAccessToken}. */
export interface IssueAccessTokenOptions {
  /** Whose token: an app (client credentials), a user (delegated) or a managed identity; default `app`. */
  kind?: 'app' | 'user' | 'managed-identity';
  /** App client id (app/user tokens) or managed identity client id; default the first app / the system identity. */
  clientId?: string;
  /** User (object id or UPN) for `kind: 'user'`; default the tenant's first user. */
  user?: string;
  /** Tenant; default the app's / identity's / first tenant. */
  tenantId?: string;
  /** Resource identifier URI or app id; default the first resource (Redis). */
  resource?: string;
  /** Lifetime in seconds; default the identity's or the global lifetime. */
  lifetimeSec?: number;
  /** Token format; default the app's or the global version. */
  version?: AccessTokenVersion;
}

/** A token minted without an HTTP round trip. */
export interface IssuedToken {
  accessToken: string;
  /** `oid` claim: the Redis username. */
  oid: string;
  expiresOnSec: number;
}

/** A running Entra ID emulator. */
export interface EntraEmulator {
  /** `https://127.0.0.1:PORT`: MSAL authority host, @azure/identity `authorityHost`. */
  readonly authorityHost: string;
  readonly host: string;
  readonly port: number;
  /** The first tenant. */
  readonly tenantId: string;
  /** PEM of the CA that signed the authority's TLS certificate. */
  readonly caPem: string;
  /** A file holding {@link caPem} (for NODE_EXTRA_CA_CERTS); removed by `stop()`. */
  readonly caPath: string;
  /** `http://127.0.0.1:PORT` of the managed identity listener. */
  readonly managedIdentityEndpoint: string;
  /** The App Service `X-IDENTITY-HEADER` secret. */
  readonly identityHeader: string;
  /** Issuer URL of the emulator's federated (workload identity) token issuer. */
  readonly federatedIssuer: string;
  /** Injected failures. */
  readonly faults: { inject(spec: FaultSpec): InjectedFault; clear(): void };
  /** Every request received so far, oldest first (a snapshot). */
  readonly requests: readonly RequestLogEntry[];
  clearRequests(): void;
  /** `{authorityHost}/{tenantId}`. */
  authority(tenantId?: string): string;
  /** The JWKS URI of access tokens. */
  jwksUri(tenantId?: string): string;
  /** The current JWKS document. */
  jwks(): JsonWebKeySet;
  /** Issuers of access tokens of a tenant: v1 (`sts.windows.net`) and v2 (emulator authority). */
  tokenIssuers(tenantId?: string): { v1: string; v2: string };
  /** The resources tokens are issued for. */
  readonly resources: readonly ResourceConfig[];
  /**
   * New signing key; the previous one stays in the JWKS for `previousKeyRetentionSec` unless
   * `dropPrevious` (which also empties the managed identity token cache). Returns the new kid.
   */
  rotateSigningKey(options?: { dropPrevious?: boolean }): Promise<string>;
  /** A JWT from the emulator's federated issuer, as a Kubernetes projected service-account token. */
  issueFederatedToken(options?: FederatedTokenOptions): Promise<string>;
  /** Forgets the cached managed identity tokens: the next request of each identity gets a new token. */
  clearManagedIdentityTokenCache(): void;
  /** Mints an access token directly (no HTTP), e.g. to test a Redis gateway. */
  issueAccessToken(options?: IssueAccessTokenOptions): Promise<IssuedToken>;
  /** Every principal registered so far (apps' service principals, users, managed identities). */
  principals(): EntraPrincipal[];
  /** Registers (or replaces) an app; returns its service principal (whose `objectId` is its tokens' `oid`). */
  addApp(app: AppConfig): EntraPrincipal;
  /** Registers a user; returns it as a principal. */
  addUser(user: UserConfig): EntraPrincipal;
  /** Registers a managed identity; returns it as a principal. */
  addManagedIdentity(identity: ManagedIdentityConfig): EntraPrincipal;
  /** Revokes refresh tokens (all, or of one user / client); later use fails `invalid_grant` AADSTS50173. Returns the count. */
  revokeRefreshTokens(filter?: { userOid?: string; clientId?: string }): number;
  /** MSAL configuration pieces: spread into `ConfidentialClientApplication` / `PublicClientApplication` options. */
  msalConfig(options?: { clientId?: string; tenantId?: string; timeoutMs?: number }): EmulatorMsalConfig;
  /** An MSAL `INetworkModule` trusting the emulator CA. */
  msalNetworkClient(options?: { timeoutMs?: number }): MsalNetworkModule;
  /** @azure/identity credential options reaching the emulator in-process. */
  identityOptions(): EmulatorIdentityOptions;
  /** Environment variables that select a managed identity source in MSAL / @azure/identity. */
  managedIdentityEnv(source: ManagedIdentitySource): Record<string, string>;
  /** Closes both listeners and every open connection; idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Environment variables MSAL reads to pick a managed identity source: unset them before applying {@link EntraEmulator.managedIdentityEnv}. */
export const MANAGED_IDENTITY_ENV_VARS = [
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'IDENTITY_SERVER_THUMBPRINT',
  'IMDS_ENDPOINT',
  'MSI_ENDPOINT',
  'MSI_SECRET',
  'AZURE_POD_IDENTITY_AUTHORITY_HOST',
  'DEFAULT_IDENTITY_CLIENT_ID',
] as const;
