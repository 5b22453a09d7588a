import { inspect } from 'node:util';
import { type BasicAuth, StreamingCredentialsProvider } from '@authx/token-core';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { AwsIamIdentityProvider } from './aws-iam-identity-provider';
import type { IamAuthService } from './iam-auth-token';
import {
  type AwsIamProviderOptions,
  type ElastiCacheIamProviderOptions,
  type MemoryDbIamProviderOptions,
  resolveAwsIamOptions,
} from './options';

/**
 * A token-core `StreamingCredentialsProvider` of ElastiCache / MemoryDB IAM credentials:
 * `{ username: userId, password: <presigned token without http://> }`. node-redis accepts it as
 * `credentialsProvider`; `@authx/redis-auth` binds it to clients, clusters and pools.
 */
export class AwsIamCredentialsProvider extends StreamingCredentialsProvider<string> {
  readonly #service: IamAuthService;
  readonly #cacheName: string;
  readonly #userId: string;
  readonly #region: string;

  /** @internal Use {@link createElastiCacheIamProvider} / {@link createMemoryDbIamProvider}. */
  constructor(
    service: IamAuthService,
    options: AwsIamProviderOptions & { cacheName?: string; clusterName?: string; serverless?: boolean },
  ) {
    const resolved = resolveAwsIamOptions(options, service === 'elasticache' ? 'cacheName' : 'clusterName');
    const identityProvider = new AwsIamIdentityProvider(
      service,
      resolved,
      resolved.credentials ?? fromNodeProviderChain(),
      options.clock,
    );
    super({
      identityProvider,
      credentialsMapper: (token) => ({ username: resolved.userId, password: token.value }),
      tokenManagerConfig: options.tokenManagerConfig,
      clock: options.clock,
      onReAuthenticationError: options.onReAuthenticationError,
      onRetryableError: options.onRetryableError,
    });
    this.#service = service;
    this.#cacheName = resolved.cacheName;
    this.#userId = resolved.userId;
    this.#region = resolved.region;
  }

  /** Credentials of the current token, or null before the first one. */
  getCurrentCredentials(): BasicAuth | null {
    const token = this.getCurrentToken();
    return token ? { username: this.#userId, password: token.value } : null;
  }

  toJSON(): Record<string, unknown> {
    return {
      type: 'AwsIamCredentialsProvider',
      service: this.#service,
      cacheName: this.#cacheName,
      userId: this.#userId,
      region: this.#region,
      subscribers: this.subscriberCount(),
    };
  }

  [inspect.custom](): string {
    const token = this.getCurrentToken();
    const expiry = token ? new Date(token.expiresAtMs).toISOString() : 'none';
    return `AwsIamCredentialsProvider { service: '${this.#service}', cacheName: '${this.#cacheName}', userId: '${this.#userId}', region: '${this.#region}', subscribers: ${this.subscriberCount()}, tokenExpiresAt: ${expiry} }`;
  }
}

/**
 * Credentials for an IAM-enabled ElastiCache user (Valkey ≥ 7.2, Redis OSS ≥ 7.0; node-based or
 * serverless): a SigV4-presigned token per refresh, signed with the credentials current at that
 * moment. Invalid options throw `InvalidOptionError` naming the option.
 */
export function createElastiCacheIamProvider(
  options: ElastiCacheIamProviderOptions,
): AwsIamCredentialsProvider {
  return new AwsIamCredentialsProvider('elasticache', options);
}

/** Credentials for an IAM-enabled MemoryDB user; see {@link createElastiCacheIamProvider}. */
export function createMemoryDbIamProvider(options: MemoryDbIamProviderOptions): AwsIamCredentialsProvider {
  return new AwsIamCredentialsProvider('memorydb', options);
}
