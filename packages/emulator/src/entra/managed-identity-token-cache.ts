import type { RegisteredManagedIdentity } from './directory';
import type { IssuedAccessToken } from './token-issuer';

/** Settings of the managed identity token cache (`managedIdentityTokenCache` option). */
export interface ManagedIdentityTokenCacheOptions {
  /**
   * A cached token is handed out again until this many seconds before its expiry; inside that
   * window the next request gets a new token. Default: 300 s (5 minutes), but at most a quarter
   * of the token's lifetime, so that tests with short tokens see production's renewal scaled the
   * way this project scales Azure's rules: "renew at least 3 minutes before expiry" becomes 15 %
   * of the lifetime (3 of 20 minutes), and the 5-minute window the same 20 minutes' quarter.
   * Fractions allowed.
   */
  renewalWindowSec?: number;
}

/** The default renewal window, in seconds, for tokens of at least 20 minutes. */
export const DEFAULT_MI_RENEWAL_WINDOW_SEC = 300;

/** The default renewal window of shorter tokens, as a share of their lifetime (5 of 20 minutes). */
export const DEFAULT_MI_RENEWAL_WINDOW_SHARE = 1 / 4;

/**
 * Managed identity tokens as Azure's IMDS and App Service hand them out: cached per identity and
 * resource, the same token returned to every request (a client's force-refresh included) until
 * the renewal window before its expiry.
 */
export class ManagedIdentityTokenCache {
  readonly #tokens = new Map<string, IssuedAccessToken & { lifetimeSec: number }>();

  constructor(
    private readonly now: () => number,
    /** `false` issues a new token for every request (not what Azure does). */
    private readonly settings: false | ManagedIdentityTokenCacheOptions,
  ) {}

  /** The cached token for `identity` + `resource`, or a new one from `issue` (then cached). */
  async token(
    identity: RegisteredManagedIdentity,
    resource: string,
    issue: () => Promise<IssuedAccessToken>,
  ): Promise<IssuedAccessToken> {
    if (this.settings === false) return issue();
    const key = `${identity.objectId}\n${resource}`;
    const cached = this.#tokens.get(key);
    if (cached && this.now() < cached.expiresOnSec * 1000 - this.#windowMs(cached.lifetimeSec)) return cached;
    const issued = await issue();
    this.#tokens.set(key, { ...issued, lifetimeSec: issued.expiresOnSec - issued.notBeforeSec });
    return issued;
  }

  /** Forgets every cached token (the next request of each identity gets a new one). */
  clear(): void {
    this.#tokens.clear();
  }

  #windowMs(lifetimeSec: number): number {
    if (this.settings === false) return 0;
    const windowSec =
      this.settings.renewalWindowSec ??
      Math.min(DEFAULT_MI_RENEWAL_WINDOW_SEC, lifetimeSec * DEFAULT_MI_RENEWAL_WINDOW_SHARE);
    return windowSec * 1000;
  }
}
