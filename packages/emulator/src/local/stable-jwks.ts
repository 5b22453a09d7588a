import type { JsonWebKeySet } from '../entra/signing-key-ring';

/**
 * Wraps a JWKS getter that builds a new object on every call so that it returns the same object
 * while the key ids are unchanged: the gateway caches imported keys per JWKS object, so a
 * rotation is still seen at once but unchanged keys are not imported again for every AUTH.
 */
export function stableJwks(read: () => JsonWebKeySet): () => JsonWebKeySet {
  let last: JsonWebKeySet | undefined;
  let lastKids = '';
  return () => {
    const current = read();
    const kids = current.keys.map((key) => String(key['kid'])).join(' ');
    if (!last || kids !== lastKids) {
      last = current;
      lastKids = kids;
    }
    return last;
  };
}
