/**
 * Reads the payload claims of a JWT without verifying it (the IdP signed it for Redis, which
 * verifies it); undefined when the value is not a JWT with a JSON object payload.
 */
export function readJwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The `oid` claim (object id of the principal, the username Azure Cache for Redis expects), if present. */
export function readObjectId(token: string): string | undefined {
  const oid = readJwtClaims(token)?.oid;
  return typeof oid === 'string' && oid.length > 0 ? oid : undefined;
}
