import { randomBytes } from 'node:crypto';

/** Remembers single-use ids (assertion `jti`s) until they expire. */
export class ReplayCache {
  readonly #seen = new Map<string, number>();
  constructor(private readonly now: () => number) {}

  /** Returns false when `id` was already seen and has not expired. */
  remember(id: string, expiresAtMs: number): boolean {
    const nowMs = this.now();
    for (const [key, until] of this.#seen) if (until < nowMs) this.#seen.delete(key);
    if (this.#seen.has(id)) return false;
    this.#seen.set(id, Math.max(expiresAtMs, nowMs + 1));
    return true;
  }
}

/** What an authorization code was issued for. */
export interface AuthorizationCodeGrant {
  tenantId: string;
  clientId: string;
  redirectUri: string;
  userOid: string;
  scope: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  codeChallengeMethod: 'S256' | 'plain' | undefined;
}

/** What a refresh token stands for. */
export interface RefreshTokenGrant {
  tenantId: string;
  clientId: string;
  userOid: string;
  scope: string;
}

type Redeemed<T> =
  | { status: 'ok'; grant: T }
  | { status: 'unknown' | 'used' | 'expired' | 'revoked' }
  | { status: 'mismatch'; grant: T };

/**
 * Opaque handles (codes, refresh tokens) with expiry, single-use or reusable. A redeemed
 * single-use handle is kept as "used" until it expires, so a replay is told apart from a made-up value.
 */
export class HandleStore<T> {
  readonly #entries = new Map<
    string,
    { grant: T; expiresAtMs: number; state: 'live' | 'used' | 'revoked' }
  >();
  constructor(
    private readonly now: () => number,
    private readonly lifetimeMs: number,
    private readonly prefix: string,
    /** Whether redeeming a handle uses it up (codes: always; refresh tokens: only with rotation). */
    private readonly singleUse: boolean,
  ) {}

  issue(grant: T): string {
    const handle = `${this.prefix}${randomBytes(48).toString('base64url')}`;
    this.#entries.set(handle, { grant, expiresAtMs: this.now() + this.lifetimeMs, state: 'live' });
    return handle;
  }

  /**
   * Redeems (and, when single-use, consumes) a live handle whose grant passes `belongsToCaller`; a
   * grant that does not pass (another client's) is reported as `mismatch` and stays live.
   */
  redeem(handle: string, belongsToCaller: (grant: T) => boolean): Redeemed<T> {
    const entry = this.#entries.get(handle);
    if (!entry) return { status: 'unknown' };
    if (entry.expiresAtMs <= this.now()) {
      this.#entries.delete(handle);
      return { status: 'expired' };
    }
    if (entry.state !== 'live') return { status: entry.state };
    if (!belongsToCaller(entry.grant)) return { status: 'mismatch', grant: entry.grant };
    if (this.singleUse) entry.state = 'used';
    return { status: 'ok', grant: entry.grant };
  }

  /** Revokes every live handle whose grant matches; returns how many. */
  revoke(match: (grant: T) => boolean): number {
    let count = 0;
    for (const entry of this.#entries.values()) {
      if (entry.state === 'live' && match(entry.grant)) {
        entry.state = 'revoked';
        count++;
      }
    }
    return count;
  }
}
