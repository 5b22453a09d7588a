import type { CredentialVerifier } from '../gateway/credential-verifier';
import type { ValidationResult } from '../gateway/token-validator';
import type { IssuedGoogleToken } from './google-metadata-server';

/** Options of {@link createGoogleAccessTokenVerifier}. */
export interface GoogleAccessTokenVerifierOptions {
  /** What is known of an access token (e.g. `metadataServer.lookup`). */
  readonly lookup: (accessToken: string) => IssuedGoogleToken | undefined;
  readonly now: () => number;
  /** Scope a token must carry; default `https://www.googleapis.com/auth/cloud-platform`. */
  readonly requiredScope?: string;
}

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * The `memorystore` profile's check: `AUTH <access token>` (user `default`) with a token the
 * emulated Google issued, unexpired, with the cloud-platform scope. An authenticated connection is
 * never closed for its token's expiry (Memorystore checks the token only at AUTH).
 */
export function createGoogleAccessTokenVerifier(
  options: GoogleAccessTokenVerifierOptions,
): CredentialVerifier {
  const scope = options.requiredScope ?? CLOUD_PLATFORM_SCOPE;
  return {
    async validate(username: string, token: string): Promise<ValidationResult> {
      if (username !== 'default') return { ok: false, reason: 'username-mismatch' };
      const info = options.lookup(token);
      if (!info) return { ok: false, reason: 'unknown-token' };
      if (options.now() >= info.expiresAtMs) return { ok: false, reason: 'expired' };
      if (!info.scopes.includes(scope)) return { ok: false, reason: 'wrong-audience' };
      return {
        ok: true,
        principal: {
          oid: info.email,
          audience: scope,
          expiresAtMs: info.expiresAtMs,
          tokenId: `google-token-${info.serial}`,
          evictAtMs: Number.POSITIVE_INFINITY,
        },
      };
    },
  };
}
