import { inspect } from 'node:util';
import {
  type BasicAuth,
  type Clock,
  InvalidOptionError,
  StreamingCredentialsProvider,
  type TokenManagerConfig,
} from '@authx/token-core';
import { GoogleAuth } from 'google-auth-library';
import { type AccessTokenSource, MemorystoreIdentityProvider } from './memorystore-identity-provider';

/** The scope Memorystore IAM authentication needs. */
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Options of {@link createMemorystoreIamProvider}. */
export interface MemorystoreIamProviderOptions {
  /**
   * Where access tokens come from: a `GoogleAuth` (or anything with `getClient()` returning a
   * google-auth-library client). Default `new GoogleAuth({ scopes })` — Application Default
   * Credentials: `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's ADC file, or the metadata server
   * (GCE, GKE Workload Identity, Cloud Run, Cloud Functions).
   */
  auth?: AccessTokenSource;
  /** Scopes of the default `GoogleAuth`; default `['https://www.googleapis.com/auth/cloud-platform']`. Not with `auth`. */
  scopes?: string[];
  /**
   * token-core's refresh timing, retries, recovery. Default token-core's: a 1-hour token is asked
   * for again when google-auth-library would renew it (5 min before expiry), never earlier.
   */
  tokenManagerConfig?: TokenManagerConfig;
  clock?: Clock;
  onReAuthenticationError?: (error: Error) => void;
  onRetryableError?: (error: unknown) => void;
}

/**
 * A token-core `StreamingCredentialsProvider` of Memorystore IAM credentials: `{ password:
 * <access token> }` with no username, so clients send `AUTH <token>` (RESP2) or
 * `HELLO 3 AUTH default <token>` (RESP3) — Memorystore's IAM authentication takes the token as the
 * password of the default user.
 */
export class MemorystoreCredentialsProvider extends StreamingCredentialsProvider<string> {
  /**
   * Memorystore checks a token only when a connection authenticates, and never closes an
   * authenticated connection when its token expires: `@authx/redis-auth` and `@authx/ioredis` then
   * leave RESP2 subscribers on the token they hold instead of moving each onto a new connection at
   * every refresh (new connections are what Memorystore rate-limits under IAM authentication).
   */
  readonly connectionsOutliveCredentials = true;

  /** @internal Use {@link createMemorystoreIamProvider}. */
  constructor(options: MemorystoreIamProviderOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', 'an object', options);
    }
    if (
      options.auth !== undefined &&
      typeof (options.auth as { getClient?: unknown })?.getClient !== 'function'
    ) {
      throw new InvalidOptionError('auth', 'a GoogleAuth (an object with getClient())', options.auth);
    }
    if (options.scopes !== undefined) {
      if (options.auth !== undefined) {
        throw new InvalidOptionError(
          'scopes',
          'to be unset with `auth` (give the scopes to your GoogleAuth)',
          options.scopes,
        );
      }
      if (
        !Array.isArray(options.scopes) ||
        options.scopes.length === 0 ||
        !options.scopes.every((s) => typeof s === 'string' && /^https:\/\/\S+$/.test(s))
      ) {
        throw new InvalidOptionError('scopes', 'a non-empty array of scope URLs', options.scopes);
      }
    }
    const source =
      options.auth ??
      (new GoogleAuth({ scopes: options.scopes ?? [CLOUD_PLATFORM_SCOPE] }) as unknown as AccessTokenSource);
    super({
      identityProvider: new MemorystoreIdentityProvider(source, options.clock),
      credentialsMapper: (token) => ({ password: token.value }),
      tokenManagerConfig: options.tokenManagerConfig,
      clock: options.clock,
      onReAuthenticationError: options.onReAuthenticationError,
      onRetryableError: options.onRetryableError,
    });
  }

  /** Credentials of the current token, or null before the first one. */
  getCurrentCredentials(): BasicAuth | null {
    const token = this.getCurrentToken();
    return token ? { password: token.value } : null;
  }

  toJSON(): Record<string, unknown> {
    return { type: 'MemorystoreCredentialsProvider', subscribers: this.subscriberCount() };
  }

  [inspect.custom](): string {
    const token = this.getCurrentToken();
    const expiry = token ? new Date(token.expiresAtMs).toISOString() : 'none';
    return `MemorystoreCredentialsProvider { subscribers: ${this.subscriberCount()}, tokenExpiresAt: ${expiry} }`;
  }
}

/**
 * Credentials for Memorystore for Redis Cluster / Memorystore for Valkey with IAM authentication:
 * an OAuth2 access token from google-auth-library (ADC by default), refreshed before it expires.
 * Invalid options throw `InvalidOptionError` naming the option.
 */
export function createMemorystoreIamProvider(
  options: MemorystoreIamProviderOptions = {},
): MemorystoreCredentialsProvider {
  return new MemorystoreCredentialsProvider(options);
}
