import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JSONWebKeySet, type KeyLike, SignJWT } from 'jose';

/** Claims a test may override; `lifetimeMs` sets `exp` relative to now (may be negative). */
export interface MintOptions {
  readonly oid?: string;
  readonly audience?: string;
  readonly issuer?: string;
  /** `tid` claim; default {@link TENANT_ID}. */
  readonly tenantId?: string;
  readonly lifetimeMs?: number;
  readonly notBeforeMs?: number;
  /** Sign with a key that is not in the JWKS. */
  readonly foreignKey?: boolean;
  readonly omitOid?: boolean;
}

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const ISSUER = `https://login.microsoftonline.com/${TENANT_ID}/v2.0`;

/**
 * Gateway access for tests of the RESP proxy itself (not of access control): the factory's tenant,
 * and `Data Owner` for every principal — an explicit leniency, since tests mint a new oid per case.
 */
export const OPEN_ACCESS = { tenants: [TENANT_ID], defaultAccessPolicy: 'Data Owner' } as const;

/** Mints Entra-ID-shaped RS256 access tokens with a key published in `jwks`. */
export class TokenFactory {
  private constructor(
    readonly jwks: JSONWebKeySet,
    private readonly key: KeyLike,
    private readonly foreign: KeyLike,
  ) {}

  static async create(): Promise<TokenFactory> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const foreign = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
    return new TokenFactory({ keys: [jwk] }, privateKey, foreign.privateKey);
  }

  newOid(): string {
    return randomUUID();
  }

  /** Returns a token whose `exp` is `lifetimeMs` from now (rounded up to a whole second). */
  async mint(options: MintOptions = {}): Promise<{ token: string; oid: string; expiresAtMs: number }> {
    const oid = options.oid ?? this.newOid();
    const nowSeconds = Math.floor(Date.now() / 1000);
    const exp = Math.ceil((Date.now() + (options.lifetimeMs ?? 60_000)) / 1000);
    const claims: Record<string, unknown> = {
      tid: options.tenantId ?? TENANT_ID,
      azp: 'test-client',
      ver: '2.0',
    };
    if (!options.omitOid) claims.oid = oid;
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key-1', typ: 'JWT' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? 'https://redis.azure.com')
      .setSubject(oid)
      .setIssuedAt(nowSeconds)
      .setNotBefore(
        options.notBeforeMs === undefined
          ? nowSeconds - 60
          : Math.floor((Date.now() + options.notBeforeMs) / 1000),
      )
      .setExpirationTime(exp);
    const token = await jwt.sign(options.foreignKey ? this.foreign : this.key);
    return { token, oid, expiresAtMs: exp * 1000 };
  }
}
