import type { EntraEmulatorOptions } from '../entra/options';
import type { AccessPolicy, AccessPolicyAssignment } from '../gateway/access-policies';
import { invalidLocalOption } from './local-azure-redis-error';

/** Options of {@link startEmulator}. Every port defaults to 0: a free port chosen by the OS. */
export interface LocalAzureRedisOptions {
  /** Port of the token-checking Redis gateway (what clients connect to); default 0 (free port). */
  port?: number;
  /** HTTPS port of the Entra ID authority; default 0 (free port). */
  entraPort?: number;
  /** Plain-HTTP port of the managed identity endpoints (App Service and IMDS); default 0 (free port). */
  managedIdentityPort?: number;
  /** Port of the redis-server behind the gateway (not for clients); default 0 (free port). Single-node only. */
  redisPort?: number;
  /** Lifetime of the access tokens the Entra emulator issues, in seconds (fractions allowed); default 3600. */
  tokenLifetimeSec?: number;
  /** How long the gateway keeps a connection open after its token's `exp`, in milliseconds; default 0. */
  graceMs?: number;
  /**
   * Serve the gateway over TLS (`rediss://`) with a certificate from a CA made for this run; clients
   * trust `caPem` / `caPath`. Default false.
   */
  tls?: boolean;
  /**
   * Run a local Redis Cluster (3 masters, or `{ masters }`) behind one gateway per node, as Azure
   * Managed Redis is clustered; `redisUrl` is then the first node's gateway. Default false.
   */
  cluster?: boolean | { masters?: number };
  /**
   * More Entra emulator options (apps, users, `accessTokenVersion`, `now`, …); the ports and the
   * token lifetime come from the options above. Default: the emulator's defaults.
   */
  entra?: Omit<EntraEmulatorOptions, 'port' | 'managedIdentityPort' | 'tokenLifetimeSec'>;
  /**
   * Who the gateway lets in. Default: as Azure — only the Redis audiences, only the emulator's
   * first tenant (the cache's), and `Data Owner` for every principal registered when the emulator
   * starts (nobody else).
   */
  gateway?: LocalGatewayOptions;
}

/** Access settings of the gateway in front of the emulator's Redis; each replaces its default. */
export interface LocalGatewayOptions {
  /**
   * Accepted `tid` values: default the emulator's first tenant (Azure: the cache's tenant only).
   * More tenants, or `'any'`, are leniencies.
   */
  readonly tenants?: readonly string[] | 'any';
  /**
   * Accepted `aud` values: default `DEFAULT_REDIS_AUDIENCES` (Azure's), even when `entra.resources`
   * registers other APIs. Another audience is a leniency.
   */
  readonly audiences?: readonly string[];
  /** Custom data access policies (`{ name, permissions }`); default none. */
  readonly accessPolicies?: readonly AccessPolicy[];
  /**
   * Who holds which policy: default `Data Owner` for every principal registered at start (the
   * ready-made app's service principal, the users, the managed identities); principals added
   * later hold nothing until `gateway.assignAccessPolicy(...)`, as on Azure.
   */
  readonly accessPolicyAssignments?: readonly AccessPolicyAssignment[];
  /** A policy for every principal without an assignment (a leniency Azure does not have); default none. */
  readonly defaultAccessPolicy?: string;
}

/** The options with their defaults applied. */
export interface ResolvedLocalAzureRedisOptions {
  port: number;
  entraPort: number;
  managedIdentityPort: number;
  redisPort: number;
  tokenLifetimeSec: number;
  graceMs: number;
  tls: boolean;
  /** Number of cluster masters, or 0 for a single node. */
  clusterMasters: number;
  entra: NonNullable<LocalAzureRedisOptions['entra']>;
  gateway: LocalGatewayOptions;
}

/** Default number of masters of `cluster: true`. */
export const DEFAULT_CLUSTER_MASTERS = 3;

const PORT_OPTIONS = ['port', 'entraPort', 'managedIdentityPort', 'redisPort'] as const;

/** Checks every option up front; throws `LocalAzureRedisError` (`INVALID_OPTION`) naming the first bad one. */
export function resolveLocalOptions(options: LocalAzureRedisOptions): ResolvedLocalAzureRedisOptions {
  if (options === null || typeof options !== 'object') invalidLocalOption('options', 'an object');
  for (const name of PORT_OPTIONS) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0 && value <= 65535)) {
      invalidLocalOption(name, 'an integer 0–65535 (0 = a free port)');
    }
  }
  const lifetime = options.tokenLifetimeSec;
  if (
    lifetime !== undefined &&
    !(typeof lifetime === 'number' && Number.isFinite(lifetime) && lifetime > 0)
  ) {
    invalidLocalOption('tokenLifetimeSec', 'a finite number of seconds > 0');
  }
  const grace = options.graceMs;
  if (grace !== undefined && !(typeof grace === 'number' && Number.isFinite(grace) && grace >= 0)) {
    invalidLocalOption('graceMs', 'a finite number of milliseconds >= 0');
  }
  if (options.tls !== undefined && typeof options.tls !== 'boolean')
    invalidLocalOption('tls', 'true or false');
  const clusterMasters = resolveClusterMasters(options.cluster);
  if (clusterMasters > 0 && options.redisPort !== undefined && options.redisPort !== 0) {
    invalidLocalOption('redisPort', 'to be unset with `cluster` (the cluster nodes take free ports)');
  }
  if (options.entra !== undefined && (options.entra === null || typeof options.entra !== 'object')) {
    invalidLocalOption('entra', 'an object of Entra emulator options');
  }
  if (options.gateway !== undefined && (options.gateway === null || typeof options.gateway !== 'object')) {
    invalidLocalOption('gateway', 'an object of gateway access options');
  }
  return {
    port: options.port ?? 0,
    entraPort: options.entraPort ?? 0,
    managedIdentityPort: options.managedIdentityPort ?? 0,
    redisPort: options.redisPort ?? 0,
    tokenLifetimeSec: lifetime ?? 3600,
    graceMs: grace ?? 0,
    tls: options.tls ?? false,
    clusterMasters,
    entra: options.entra ?? {},
    gateway: options.gateway ?? {},
  };
}

function resolveClusterMasters(cluster: LocalAzureRedisOptions['cluster']): number {
  if (cluster === undefined || cluster === false) return 0;
  if (cluster === true) return DEFAULT_CLUSTER_MASTERS;
  const masters =
    typeof cluster === 'object' && cluster !== null ? (cluster.masters ?? DEFAULT_CLUSTER_MASTERS) : NaN;
  if (!(Number.isInteger(masters) && masters >= 1 && masters <= 16)) {
    invalidLocalOption('cluster', 'true, false or { masters: an integer 1–16 }');
  }
  return masters;
}
