import type { BasicAuth } from '../streaming-credentials-provider';

/**
 * Default `expiresAtMs` resolver: when the password is a JWT (an Entra ID access token, for
 * example), its `exp` claim; otherwise `undefined` (expiry unknown). The token is only decoded,
 * never verified — the server verifies it; the binding only needs to know when it runs out.
 */
export function jwtExpiresAtMs(credentials: BasicAuth): number | undefined {
  const password = credentials.password;
  if (typeof password !== 'string') return undefined;
  const parts = password.split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1].length === 0) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
