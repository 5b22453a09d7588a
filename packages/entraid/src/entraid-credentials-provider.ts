import { inspect } from 'node:util';
import {
  type BasicAuth,
  StreamingCredentialsProvider,
  type TokenManager,
  type TokenManagerConfig,
} from '@authx/token-core';
import { originalError } from './classify-error';
import {
  type AuthenticationResponse,
  type CredentialsMapper,
  DEFAULT_CREDENTIALS_MAPPER,
} from './credentials-mapper';
import type { IdentityProvider } from '@authx/token-core';
import type { BaseProviderOptions } from './options';
import { optionalFunction } from './validate';

/**
 * What every factory method returns: token-core's StreamingCredentialsProvider (node-redis accepts it
 * as `credentialsProvider`) plus the inspection helpers @redis/entraid's provider had.
 */
export class EntraidCredentialsProvider extends StreamingCredentialsProvider<AuthenticationResponse> {
  readonly #mapper: CredentialsMapper;
  readonly #flow: string;

  /**
   * Use the `EntraIdCredentialsProviderFactory` methods rather than this constructor.
   * @internal
   */
  constructor(
    identityProvider: IdentityProvider<AuthenticationResponse> & { readonly flow: string },
    options: BaseProviderOptions,
  ) {
    const mapper =
      optionalFunction<CredentialsMapper>('credentialsMapper', options.credentialsMapper) ??
      DEFAULT_CREDENTIALS_MAPPER;
    super({
      identityProvider,
      tokenManagerConfig: withOriginalErrors(options.tokenManagerConfig),
      credentialsMapper: (token) => mapper(token.value),
      clock: options.clock,
      onReAuthenticationError: options.onReAuthenticationError,
      onRetryableError: options.onRetryableError as ((error: unknown) => void) | undefined,
    });
    this.#mapper = mapper;
    this.#flow = identityProvider.flow;
  }

  /** Number of live subscriptions (one per node-redis connection). */
  getSubscriptionsCount(): number {
    return this.subscriberCount();
  }

  /** True while at least one connection is subscribed. */
  hasActiveSubscriptions(): boolean {
    return this.subscriberCount() > 0;
  }

  /** The token manager running the refresh loop. */
  getTokenManager(): TokenManager<AuthenticationResponse> {
    return this.tokenManager;
  }

  /** Credentials of the current token, or null before the first token. */
  getCurrentCredentials(): BasicAuth | null {
    const token = this.getCurrentToken();
    return token ? this.#mapper(token.value) : null;
  }

  toJSON(): Record<string, unknown> {
    return { type: 'EntraidCredentialsProvider', flow: this.#flow, subscribers: this.subscriberCount() };
  }

  [inspect.custom](): string {
    const token = this.getCurrentToken();
    const expiry = token ? new Date(token.expiresAtMs).toISOString() : 'none';
    return `EntraidCredentialsProvider { flow: '${this.#flow}', subscribers: ${this.subscriberCount()}, tokenExpiresAt: ${expiry} }`;
  }
}

/**
 * A user's `retry.isRetryable` gets what MSAL / the TokenCredential threw, as with @redis/entraid
 * (so `error instanceof ServerError`, `error.errorCode` work), not our classified wrapper. Without
 * one, token-core's default reads the wrapper's `isRetryable`. Invalid values pass through for
 * token-core to report.
 */
function withOriginalErrors(config: TokenManagerConfig | undefined): TokenManagerConfig | undefined {
  const retry = typeof config === 'object' && config !== null ? config.retry : undefined;
  const isRetryable = typeof retry === 'object' && retry !== null ? retry.isRetryable : undefined;
  if (typeof isRetryable !== 'function') return config;
  return {
    ...config,
    retry: { ...retry, isRetryable: (error, attempt) => isRetryable(originalError(error), attempt) },
  };
}
