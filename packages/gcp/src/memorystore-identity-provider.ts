import {
  type Clock,
  type IdentityProvider,
  IdentityProviderError,
  raceAbort,
  systemClock,
  type TokenResponse,
} from '@authx/token-core';
import { toGcpIdentityProviderError } from './classify-error';
import { GcpIamErrorCode } from './error-codes';

/** The part of a google-auth-library client this package uses (`OAuth2Client`, `Compute`, `Impersonated`, …). */
export interface AccessTokenClient {
  getAccessToken(): Promise<{ token?: string | null }>;
  /** `expiry_date` (epoch ms) of the token the client holds. */
  readonly credentials?: { readonly expiry_date?: number | null };
  /** The library renews its token this long before `expiry_date`; default 5 min. */
  readonly eagerRefreshThresholdMillis?: number;
}

/** The part of `GoogleAuth` this package uses. */
export interface AccessTokenSource {
  getClient(): Promise<AccessTokenClient>;
}

/** google-auth-library's default `eagerRefreshThresholdMillis`. */
const LIBRARY_EAGER_REFRESH_MS = 300_000;
/** Used when the library reports no expiry (it normally does): asked again after about half of it. */
export const FALLBACK_TOKEN_LIFETIME_MS = 300_000;

/**
 * Asks google-auth-library for an access token. The library caches its token and renews it
 * `eagerRefreshThresholdMillis` before expiry: the token's real expiry (`credentials.expiry_date`)
 * is its TTL, and the library's renewal point is the renewal hint, so token-core does not ask
 * before the library would return something new — one cache (the library's), one schedule.
 */
export class MemorystoreIdentityProvider implements IdentityProvider<string> {
  readonly #source: AccessTokenSource;
  readonly #clock: Clock;

  constructor(source: AccessTokenSource, clock: Clock = systemClock) {
    this.#source = source;
    this.#clock = clock;
  }

  async requestToken(signal?: AbortSignal): Promise<TokenResponse<string>> {
    const abortError = (reason: unknown) =>
      Object.assign(new Error(`aborted: ${reason instanceof Error ? reason.message : 'request aborted'}`), {
        name: 'AbortError',
      });
    let client: AccessTokenClient;
    let token: string | null | undefined;
    try {
      client = await raceAbort(
        Promise.resolve().then(() => this.#source.getClient()),
        signal,
        abortError,
      );
      ({ token } = await raceAbort(client.getAccessToken(), signal, abortError));
    } catch (error) {
      throw toGcpIdentityProviderError(error);
    }
    if (typeof token !== 'string' || token === '') {
      throw new IdentityProviderError('google-auth-library returned no access token', {
        code: GcpIamErrorCode.INVALID_TOKEN_RESPONSE,
        isRetryable: true,
      });
    }
    const now = this.#clock.now();
    const expiry = client.credentials?.expiry_date;
    const expiresAtMs =
      typeof expiry === 'number' && Number.isFinite(expiry) ? expiry : now + FALLBACK_TOKEN_LIFETIME_MS;
    const ttlMs = expiresAtMs - now;
    if (ttlMs <= 0) {
      throw new IdentityProviderError(
        `google-auth-library returned an access token that expired at ${new Date(expiresAtMs).toISOString()}`,
        { code: GcpIamErrorCode.INVALID_TOKEN_RESPONSE, isRetryable: true },
      );
    }
    const eager = client.eagerRefreshThresholdMillis ?? LIBRARY_EAGER_REFRESH_MS;
    const refreshAfterMs = ttlMs - eager;
    return refreshAfterMs > 0 ? { token, ttlMs, refreshAfterMs } : { token, ttlMs };
  }

  toJSON(): object {
    return { type: 'MemorystoreIdentityProvider' };
  }
}
