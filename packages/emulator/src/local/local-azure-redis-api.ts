import type {
  EmulatorIdentityOptions,
  EmulatorMsalConfig,
  EntraEmulator,
  IssueAccessTokenOptions,
  IssuedToken,
} from '../entra/entra-emulator-api';
import type { ManagedIdentitySource } from '../entra/managed-identity-endpoint';
import type { RedisClusterGateway } from '../gateway/cluster-gateway';
import type { RedisGateway } from '../gateway/redis-gateway';
import type { RedisServer } from '../redis-server';

/** MSAL configuration for `new ConfidentialClientApplication(...)`: the emulator's, plus the default app's secret. */
export interface LocalMsalConfig {
  auth: EmulatorMsalConfig['auth'] & {
    /** The default app's secret; absent when another `clientId` was asked for. */
    clientSecret?: string;
  };
  system: EmulatorMsalConfig['system'];
}

/**
 * A running local "Azure Cache for Redis with Entra ID": an Entra ID emulator, redis-server, and a
 * token-checking gateway in front of it that accepts the emulator's tokens (`AUTH <oid> <token>`,
 * `HELLO 3 AUTH …`). Everything a client needs is here; `stop()` ends all of it.
 */
export interface LocalAzureRedis<
  G extends RedisGateway | RedisClusterGateway = RedisGateway | RedisClusterGateway,
> {
  /** What clients connect to: `redis://127.0.0.1:PORT`, or `rediss://…` with `tls`; with `cluster`, the first node's gateway. */
  readonly redisUrl: string;
  /** Host of {@link redisUrl} (`127.0.0.1`). */
  readonly host: string;
  /** Port of {@link redisUrl}. */
  readonly port: number;
  /** Whether the gateway serves TLS. */
  readonly tls: boolean;
  /** Whether Redis runs as a cluster (one gateway per node). */
  readonly cluster: boolean;
  /** `[{ url }]` of every gateway node (one entry without `cluster`): node-redis `createCluster({ rootNodes })`. */
  readonly rootNodes: ReadonlyArray<{ readonly url: string }>;
  /** `https://127.0.0.1:PORT`: MSAL authority host, @azure/identity `authorityHost`, `AZURE_AUTHORITY_HOST`. */
  readonly authorityHost: string;
  /** `{authorityHost}/{tenantId}`: the MSAL `authority`. */
  readonly authority: string;
  readonly tenantId: string;
  /** Client id of the ready-made app (the first app; confidential, with {@link clientSecret}). */
  readonly clientId: string;
  /**
   * Secret of the ready-made app: `DEFAULT_CLIENT_SECRET`, or the first secret of the first
   * app given in `entra.apps` ('' when it has none). Kept out of `util.inspect` and JSON.
   */
  readonly clientSecret: string;
  /** Scope to request for Redis: `https://redis.azure.com/.default`. */
  readonly scope: string;
  /** Managed identity resource for Redis: `https://redis.azure.com`. */
  readonly resource: string;
  /** `http://127.0.0.1:PORT` of the managed identity endpoints. */
  readonly managedIdentityEndpoint: string;
  /** Every CA a client must trust, PEM: the Entra authority's, plus the gateway's with `tls`. */
  readonly caPem: string;
  /** A file holding {@link caPem} (NODE_EXTRA_CA_CERTS, redis-cli `--cacert`); removed by `stop()`. */
  readonly caPath: string;
  /** The Entra ID emulator (faults, request log, key rotation, more apps and users, …). */
  readonly entra: EntraEmulator;
  /** The gateway (stats, events, auth log, kill): a {@link RedisClusterGateway} with `cluster`. */
  readonly gateway: G;
  /** The redis-server processes behind the gateway (one, or one per cluster master). */
  readonly redisServers: readonly RedisServer[];
  /** Spread into `new ConfidentialClientApplication(...)`; includes the secret for the default app. */
  msalConfig(options?: { clientId?: string; tenantId?: string; timeoutMs?: number }): LocalMsalConfig;
  /** Spread into any @azure/identity credential's options (authority host, CA, no instance discovery). */
  identityOptions(): EmulatorIdentityOptions;
  /** Environment that makes MSAL / @azure/identity use this emulator as managed identity source. */
  managedIdentityEnv(source: ManagedIdentitySource): Record<string, string>;
  /** Mints an access token without HTTP (default: the ready-made app's), e.g. for `redis-cli --user oid --pass token`. */
  issueAccessToken(options?: IssueAccessTokenOptions): Promise<IssuedToken>;
  /** Stops the gateway, every redis-server and the Entra emulator, and removes the CA file; idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
