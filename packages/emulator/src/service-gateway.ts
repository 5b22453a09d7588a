import type { AccessPolicy, AccessPolicyAssignment } from './gateway/access-policies';
import type { BackendAddress } from './gateway/admin-connection';
import { type GatewayClock, systemClock } from './gateway/clock';
import { GatewayOptionError } from './gateway/errors';
import type { GatewayTlsOptions, RedisGatewayOptions } from './gateway/options';
import { createRedisGateway, type RedisGateway, startRedisGateway } from './gateway/redis-gateway';
import type { AwsCredentialStore } from './aws/aws-credential-store';
import { createIamTokenVerifier } from './aws/iam-token-verifier';
import { createGoogleAccessTokenVerifier } from './gcp/access-token-verifier';
import type { IssuedGoogleToken } from './gcp/google-metadata-server';

/** The managed Redis services the gateway can behave like. */
export type GatewayProfile = 'azure' | 'elasticache' | 'memorydb' | 'memorystore';

/** Options every non-Azure profile shares (listener, backend, access, time). */
export interface CloudGatewayCommonOptions {
  readonly backend?: BackendAddress;
  readonly host?: string;
  readonly port?: number;
  readonly tls?: GatewayTlsOptions;
  readonly clock?: GatewayClock;
  readonly authLogLimit?: number;
  /** ACL rules per user: see `RedisGatewayOptions`. Default: every authenticated user is a `Data Owner`. */
  readonly defaultAccessPolicy?: string;
  readonly accessPolicies?: readonly AccessPolicy[];
  readonly accessPolicyAssignments?: readonly AccessPolicyAssignment[];
}

/** AWS: an IAM-enabled ElastiCache (Valkey ≥ 7.2 / Redis OSS ≥ 7.0) or MemoryDB user. */
interface AwsProfileOptions extends CloudGatewayCommonOptions {
  readonly region: string;
  /** The emulated IAM: keys that sign valid tokens. Required. */
  readonly credentials: AwsCredentialStore;
  /** An authenticated connection is closed this long after its last successful AUTH / HELLO AUTH, in ms; AWS: 12 h (default). */
  readonly maxConnectionAgeMs?: number;
  /** A token is accepted for AUTH at most this long after it was signed, in ms; AWS: 15 min (default). */
  readonly maxTokenValidityMs?: number;
  /** Tolerance for a token dated in the future, in ms; default 0. */
  readonly clockSkewMs?: number;
}

export interface ElastiCacheGatewayOptions extends AwsProfileOptions {
  readonly profile: 'elasticache';
  /** Cache name / replication group id (lower case): the token's host. */
  readonly cacheName: string;
  /** ElastiCache Serverless: tokens carry `ResourceType=ServerlessCache`. Default false. */
  readonly serverless?: boolean;
}

export interface MemoryDbGatewayOptions extends AwsProfileOptions {
  readonly profile: 'memorydb';
  /** Cluster name (lower case): the token's host. */
  readonly clusterName: string;
}

export interface MemorystoreGatewayOptions extends CloudGatewayCommonOptions {
  readonly profile: 'memorystore';
  /** Which access tokens exist: e.g. a `GoogleMetadataServer`'s `lookup`. Required. */
  readonly tokens: { lookup(accessToken: string): IssuedGoogleToken | undefined };
  /**
   * Memorystore limits the rate of new connections when IAM authentication is on (every new
   * connection is checked with IAM). At most this many new connections are accepted in any 1-second
   * window; the ones beyond it read `-ERR max new connections per second reached, try again later`
   * and are closed, as redis-server does at `maxclients` (event `connectionRateLimited`,
   * `stats().connectionsRateLimited`). Google documents the limit but publishes neither its value
   * nor how a refused connection is answered, so this is an integer you choose (≥ 1) to see how
   * your clients behave in a reconnect storm. Default: unset, no limit.
   */
  readonly maxNewConnectionsPerSecond?: number;
}

export type ServiceGatewayOptions =
  | ({ readonly profile: 'azure' } & RedisGatewayOptions)
  | ElastiCacheGatewayOptions
  | MemoryDbGatewayOptions
  | MemorystoreGatewayOptions;

/** The AWS limits the AWS profiles enforce by default. */
export const AWS_IAM_LIMITS = Object.freeze({
  /** 15 min: how long a token may be used for new AUTHs. */
  maxTokenValidityMs: 15 * 60_000,
  /** 12 h: an authenticated connection's life unless it re-authenticates. */
  maxConnectionAgeMs: 12 * 3_600_000,
});

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;

function positiveMs(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new GatewayOptionError(option, 'a finite number of milliseconds > 0');
  }
  return value;
}

/**
 * Starts a token-checking gateway with the rules of one managed Redis service:
 * - `azure` (as {@link startRedisGateway}): Entra ID tokens, connections closed at token expiry;
 * - `elasticache` / `memorydb`: SigV4-presigned IAM tokens verified against an
 *   {@link AwsCredentialStore} (independently of the AWS SDK), valid 15 min for new AUTHs;
 *   authenticated connections closed after `maxConnectionAgeMs` (12 h) unless re-authenticated
 *   (eviction reason `max-age`); AUTH inside MULTI refused;
 * - `memorystore`: Google access tokens (user `default`) checked only at AUTH; connections never
 *   closed for expiry; optionally a limit on new connections per second (`maxNewConnectionsPerSecond`).
 */
export async function startServiceGateway(options: ServiceGatewayOptions): Promise<RedisGateway> {
  if (options === null || typeof options !== 'object') {
    throw new GatewayOptionError('options', 'an object with a `profile`');
  }
  if (options.profile === 'azure') return startRedisGateway(options);
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const base = {
    jwks: { keys: [] },
    tenants: 'any' as const,
    backend: options.backend,
    host: options.host,
    port: options.port,
    tls: options.tls,
    clock,
    authLogLimit: options.authLogLimit,
    defaultAccessPolicy: options.defaultAccessPolicy ?? 'Data Owner',
    accessPolicies: options.accessPolicies,
    accessPolicyAssignments: options.accessPolicyAssignments,
  };
  if (options.profile === 'memorystore') {
    if (typeof options.tokens?.lookup !== 'function') {
      throw new GatewayOptionError(
        'tokens',
        'an object with lookup(accessToken), e.g. a GoogleMetadataServer',
      );
    }
    const rate = options.maxNewConnectionsPerSecond;
    if (rate !== undefined && !(Number.isInteger(rate) && rate >= 1 && rate <= 1_000_000)) {
      throw new GatewayOptionError(
        'maxNewConnectionsPerSecond',
        'an integer from 1 to 1000000 (unset: no limit)',
      );
    }
    const lookup = options.tokens.lookup.bind(options.tokens);
    return createRedisGateway(base, {
      validator: createGoogleAccessTokenVerifier({ lookup, now }),
      maxNewConnectionsPerSecond: rate,
    });
  }
  if (options.profile !== 'elasticache' && options.profile !== 'memorydb') {
    throw new GatewayOptionError('profile', "'azure', 'elasticache', 'memorydb' or 'memorystore'");
  }
  const nameOption = options.profile === 'elasticache' ? 'cacheName' : 'clusterName';
  const cacheName = options.profile === 'elasticache' ? options.cacheName : options.clusterName;
  if (typeof cacheName !== 'string' || !NAME.test(cacheName)) {
    throw new GatewayOptionError(
      nameOption,
      'a lower-case name: a letter, then letters, digits or hyphens (≤ 40)',
    );
  }
  if (typeof options.region !== 'string' || !REGION.test(options.region)) {
    throw new GatewayOptionError('region', 'an AWS region such as us-east-1');
  }
  if (typeof options.credentials?.lookup !== 'function') {
    throw new GatewayOptionError('credentials', 'an AwsCredentialStore');
  }
  const validator = createIamTokenVerifier({
    service: options.profile,
    region: options.region,
    cacheName,
    serverless: options.profile === 'elasticache' && options.serverless === true,
    store: options.credentials,
    now,
    maxTokenValidityMs: positiveMs(
      'maxTokenValidityMs',
      options.maxTokenValidityMs,
      AWS_IAM_LIMITS.maxTokenValidityMs,
    ),
    maxConnectionAgeMs: positiveMs(
      'maxConnectionAgeMs',
      options.maxConnectionAgeMs,
      AWS_IAM_LIMITS.maxConnectionAgeMs,
    ),
    clockSkewMs: options.clockSkewMs ?? 0,
  });
  return createRedisGateway(base, { validator, authInsideMulti: 'refuse' });
}
