import type { StreamingProvider } from '@authx/token-core';
import { type BindOptions, IoredisAuth } from './ioredis-auth';
import type { IoredisAuthOptions } from './options';

/** Options of {@link bindCredentials}: the binding's options plus the target's label. */
export interface BindCredentialsOptions extends IoredisAuthOptions, BindOptions {}

/**
 * Creates an {@link IoredisAuth} for `provider` and binds `redisOrCluster` to it, in one call:
 *
 * ```ts
 * const redis = new Redis(url, { lazyConnect: true });
 * const auth = bindCredentials(redis, provider);
 * await redis.connect();
 * ```
 */
export function bindCredentials(
  redisOrCluster: object,
  provider: StreamingProvider,
  options: BindCredentialsOptions = {},
): IoredisAuth {
  const { label, ...authOptions } = options;
  const auth = new IoredisAuth(provider, authOptions);
  auth.bind(redisOrCluster, label === undefined ? {} : { label });
  return auth;
}

/** Creates an {@link IoredisAuth}; then `auth.bind(redis)` / `auth.bind(cluster)`. */
export function createIoredisAuth(
  provider: StreamingProvider,
  options: IoredisAuthOptions = {},
): IoredisAuth {
  return new IoredisAuth(provider, options);
}
