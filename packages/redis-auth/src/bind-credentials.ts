import type { RedisAuthOptions } from './options';
import type { StreamingProvider } from './provider';
import { type BindOptions, RedisAuth } from './redis-auth';

/** Options of {@link bindCredentials}: the binding's options plus the target's label. */
export interface BindCredentialsOptions extends RedisAuthOptions, BindOptions {}

/**
 * Creates a {@link RedisAuth} for `provider` and binds `client` to it, in one call:
 *
 * ```ts
 * const client = createClient({ url });
 * const auth = bindCredentials(client, provider);
 * await client.connect();
 * ```
 *
 * For pools and clusters create the binding first (`createRedisAuth`) and pass it as
 * `credentialsProvider` when creating them, so their first connections use it too.
 */
export function bindCredentials(
  client: object,
  provider: StreamingProvider,
  options: BindCredentialsOptions = {},
): RedisAuth {
  const { label, ...authOptions } = options;
  const auth = new RedisAuth(provider, authOptions);
  auth.bind(client, label === undefined ? {} : { label });
  return auth;
}

/** Creates a {@link RedisAuth}: pass it as node-redis' `credentialsProvider`, then `auth.bind(target)`. */
export function createRedisAuth(provider: StreamingProvider, options: RedisAuthOptions = {}): RedisAuth {
  return new RedisAuth(provider, options);
}
