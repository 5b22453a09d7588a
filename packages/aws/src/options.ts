import { type Clock, InvalidOptionError, type TokenManagerConfig } from '@authx/token-core';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** Options shared by {@link createElastiCacheIamProvider} and {@link createMemoryDbIamProvider}. */
export interface AwsIamProviderOptions {
  /** The IAM-enabled ElastiCache / MemoryDB user's id (for IAM users it equals the user name). Required. */
  userId: string;
  /** Region of the cache, e.g. `us-east-1`. Required. */
  region: string;
  /**
   * Where AWS credentials come from; called once per token, so temporary (role) credentials are
   * always current. Any `AwsCredentialIdentityProvider`, e.g. from `@aws-sdk/credential-providers`.
   * Default `fromNodeProviderChain()` (environment, SSO, web identity, ini, ECS / EKS container
   * endpoint, EC2 instance metadata — memoized by the SDK until 5 min before expiry).
   */
  credentials?: AwsCredentialIdentityProvider;
  /**
   * `X-Amz-Expires` of each token, in seconds: 1–900. Default `900` — AWS accepts a token for new
   * connections for 15 minutes. Lower values are for tests against the emulator.
   */
  expiresInSeconds?: number;
  /**
   * Refresh timing, retries, request timeout, recovery (token-core's `TokenManagerConfig`). Default:
   * token-core's defaults, which refresh a 15-minute token after 9–10 minutes (the earlier of 70 %
   * and 5 min before expiry, minus up to 1 min jitter), leaving ≥ 5 minutes of validity for every
   * reconnect and re-AUTH.
   */
  tokenManagerConfig?: TokenManagerConfig;
  /** Time source (signing date, timers); default the system clock. */
  clock?: Clock;
  /** Called when node-redis reports a failed re-AUTH; the `reAuthenticationFailed` event fires either way. */
  onReAuthenticationError?: (error: Error) => void;
  /** Called on every transient failure (the provider keeps trying). */
  onRetryableError?: (error: unknown) => void;
}

/** Options of {@link createElastiCacheIamProvider}. */
export interface ElastiCacheIamProviderOptions extends AwsIamProviderOptions {
  /**
   * Replication group id (node-based cache) or serverless cache name, lower case — the presigned
   * URL's host. Required.
   */
  cacheName: string;
  /** ElastiCache Serverless: the token carries `ResourceType=ServerlessCache`. Default `false`. */
  serverless?: boolean;
}

/** Options of {@link createMemoryDbIamProvider}. */
export interface MemoryDbIamProviderOptions extends AwsIamProviderOptions {
  /** The MemoryDB cluster name, lower case — the presigned URL's host. Required. */
  clusterName: string;
}

/** Defaults documented on the options. */
export const AWS_IAM_DEFAULTS = Object.freeze({
  /** AWS: a token is accepted for new AUTHs for 15 minutes. */
  expiresInSeconds: 900,
  /**
   * A value for `@authx/redis-auth`'s `maxConnectionAgeMs`: ElastiCache / MemoryDB close an
   * authenticated connection 12 h after its last AUTH. Every refresh re-AUTHs every connection
   * (about every 10 minutes), so this is a backstop for a connection whose re-AUTH kept failing —
   * 1 h is well under 12 h and costs one extra AUTH per connection per hour at most.
   */
  recommendedMaxConnectionAgeMs: 3_600_000,
});

const CACHE_NAME = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$/;
// Partition prefix (us, eu, cn, ap, …, eusc), optional -gov / -iso*, direction, number.
const REGION = /^[a-z]{2,4}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const USER_ID = /^[^\s\x00-\x1f\x7f]{1,128}$/;

export interface ResolvedAwsIamOptions {
  readonly cacheName: string;
  readonly userId: string;
  readonly region: string;
  readonly serverless: boolean;
  readonly credentials: AwsCredentialIdentityProvider | undefined;
  readonly expiresInSeconds: number;
}

export function resolveAwsIamOptions(
  options: AwsIamProviderOptions & { cacheName?: unknown; clusterName?: unknown; serverless?: unknown },
  nameOption: 'cacheName' | 'clusterName',
): ResolvedAwsIamOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', `an object with ${nameOption}, userId and region`, options);
  }
  const cacheName = options[nameOption];
  if (typeof cacheName !== 'string' || !CACHE_NAME.test(cacheName)) {
    throw new InvalidOptionError(
      nameOption,
      'the name in lower case: a letter, then up to 39 lower-case letters, digits or single hyphens (not last)',
      typeof cacheName === 'string' && /[A-Z]/.test(cacheName) ? 'a name with upper-case letters' : cacheName,
    );
  }
  if (typeof options.userId !== 'string' || !USER_ID.test(options.userId)) {
    throw new InvalidOptionError(
      'userId',
      'the IAM-enabled user id: 1–128 characters, no spaces',
      options.userId,
    );
  }
  if (typeof options.region !== 'string' || !REGION.test(options.region)) {
    throw new InvalidOptionError(
      'region',
      'an AWS region code such as us-east-1, eu-west-2, us-gov-west-1 or cn-north-1',
      options.region,
    );
  }
  if (options.credentials !== undefined && typeof options.credentials !== 'function') {
    throw new InvalidOptionError(
      'credentials',
      'an AwsCredentialIdentityProvider: a function returning a promise of { accessKeyId, secretAccessKey, sessionToken?, expiration? } (e.g. fromNodeProviderChain())',
      options.credentials,
    );
  }
  if (options.serverless !== undefined && typeof options.serverless !== 'boolean') {
    throw new InvalidOptionError('serverless', 'a boolean', options.serverless);
  }
  const expires = options.expiresInSeconds ?? AWS_IAM_DEFAULTS.expiresInSeconds;
  if (!Number.isInteger(expires) || expires < 1 || expires > 900) {
    throw new InvalidOptionError('expiresInSeconds', 'an integer number of seconds from 1 to 900', expires);
  }
  for (const name of [
    'onReAuthenticationError',
    'onRetryableError',
    'tokenManagerConfig',
    'clock',
  ] as const) {
    const value = options[name];
    const kind = name === 'tokenManagerConfig' || name === 'clock' ? 'object' : 'function';
    if (value !== undefined && (typeof value !== kind || value === null)) {
      throw new InvalidOptionError(name, kind === 'object' ? 'an object' : 'a function', value);
    }
  }
  return {
    cacheName,
    userId: options.userId,
    region: options.region,
    serverless: options.serverless === true,
    credentials: options.credentials,
    expiresInSeconds: expires,
  };
}
