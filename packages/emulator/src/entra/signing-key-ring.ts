import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, type KeyLike } from 'jose';

/** One RS256 signing key. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyLike;
  readonly publicJwk: JWK;
}

/** A JWKS document as Entra serves it. */
export interface JsonWebKeySet {
  keys: JWK[];
}

/** Generates an RS256 key whose `kid` is its JWK thumbprint. */
export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, privateKey, publicJwk: { kty: jwk.kty, use: 'sig', alg: 'RS256', kid, n: jwk.n, e: jwk.e } };
}

/**
 * The current signing key plus keys rotated out less than `retentionMs` ago, so tokens signed just
 * before a rotation still verify, as with Entra's published key set.
 */
export class SigningKeyRing {
  #current: SigningKey;
  #previous: { key: SigningKey; retiredAtMs: number }[] = [];

  private constructor(
    current: SigningKey,
    private readonly now: () => number,
    private readonly retentionMs: number,
  ) {
    this.#current = current;
  }

  static async create(now: () => number, retentionMs: number): Promise<SigningKeyRing> {
    return new SigningKeyRing(await generateSigningKey(), now, retentionMs);
  }

  get current(): SigningKey {
    return this.#current;
  }

  /** Makes a new key current; the old one stays published unless `dropPrevious`. Returns the new kid. */
  async rotate(options: { dropPrevious?: boolean } = {}): Promise<string> {
    const next = await generateSigningKey();
    if (options.dropPrevious) this.#previous = [];
    else this.#previous.push({ key: this.#current, retiredAtMs: this.now() });
    this.#current = next;
    return next.kid;
  }

  jwks(): JsonWebKeySet {
    const nowMs = this.now();
    this.#previous = this.#previous.filter((entry) => nowMs - entry.retiredAtMs < this.retentionMs);
    return { keys: [this.#current.publicJwk, ...this.#previous.map((entry) => entry.key.publicJwk)] };
  }
}
