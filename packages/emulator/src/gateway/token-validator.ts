import { Agent } from 'node:https';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';

/**
 * Where the gateway finds the keys that sign valid tokens: a JSON Web Key Set, a function
 * returning one (called for every validation, so key rotation is seen at once), or the https/http
 * URL of one (fetched and cached by jose; see `jwksCaPem` for a private CA).
 */
export type JwksSource = JSONWebKeySet | (() => JSONWebKeySet | Promise<JSONWebKeySet>) | string | URL;

/** Why a token was refused. */
export type AuthFailureReason =
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'wrong-audience'
  | 'wrong-issuer'
  | 'wrong-tenant'
  | 'username-mismatch'
  | 'malformed'
  | 'jwks-unavailable'
  // SigV4 IAM tokens (elasticache / memorydb profiles)
  | 'wrong-cache'
  | 'wrong-action'
  | 'wrong-resource-type'
  | 'wrong-region'
  | 'wrong-service'
  | 'unknown-access-key'
  | 'bad-session-token'
  | 'credentials-expired'
  // Google access tokens (memorystore profile)
  | 'unknown-token';

/** The claims of a valid token that the gateway keeps (never the token itself). */
export interface Principal {
  /** Object id of the principal: the Redis username Azure expects. */
  readonly oid: string;
  readonly tid?: string;
  /** `appid` (v1) or `azp` (v2) claim. */
  readonly appId?: string;
  readonly issuer?: string;
  readonly audience: string;
  /** `exp` in epoch milliseconds. */
  readonly expiresAtMs: number;
  /** `nbf` in epoch milliseconds, when present. */
  readonly notBeforeMs?: number;
  /** The token's unique id (`uti`, or `jti`), when present: tells two tokens apart, reveals nothing. */
  readonly tokenId?: string;
  /**
   * When the gateway closes the connection unless a later AUTH takes effect (epoch ms;
   * `Infinity` = never). Default: `expiresAtMs` + clock tolerance + grace (Azure's rule). The AWS
   * profiles set the connection's maximum age (12 h on AWS), `memorystore` never.
   */
  readonly evictAtMs?: number;
  /** The eviction reason reported at `evictAtMs`; default `token-expired`. */
  readonly evictionReason?: 'token-expired' | 'max-age';
}

export type ValidationResult =
  | { readonly ok: true; readonly principal: Principal }
  | { readonly ok: false; readonly reason: AuthFailureReason };

export interface TokenValidatorOptions {
  readonly jwks: JwksSource;
  /** PEM CA certificate(s) trusted when `jwks` is an https URL; default: Node's trust store. */
  readonly jwksCaPem?: string | Buffer | ReadonlyArray<string | Buffer>;
  readonly audiences: readonly string[];
  /** Accepted `iss` values or a predicate; undefined accepts any issuer. */
  readonly issuers?: readonly string[] | ((issuer: string) => boolean);
  /** Accepted `tid` values, or `'any'`. */
  readonly tenants: readonly string[] | 'any';
  readonly clockToleranceMs: number;
  readonly algorithms: readonly string[];
  readonly now: () => number;
}

const RELEVANT_CLAIMS = new Set(['nbf', 'aud', 'iss']);

/** Checks Entra ID access tokens the way Azure Cache for Redis does, with jose. */
export class TokenValidator {
  private readonly getKey: () => Promise<JWTVerifyGetKey> | JWTVerifyGetKey;

  constructor(private readonly options: TokenValidatorOptions) {
    this.getKey = keyResolver(options.jwks, options.jwksCaPem);
  }

  async validate(username: string, token: string): Promise<ValidationResult> {
    let payload: JWTPayload;
    try {
      const getKey = await this.getKey();
      ({ payload } = await jwtVerify(token, getKey, {
        audience: [...this.options.audiences],
        algorithms: [...this.options.algorithms],
        clockTolerance: this.options.clockToleranceMs / 1000,
        currentDate: new Date(this.options.now()),
        requiredClaims: ['exp'],
        ...(Array.isArray(this.options.issuers) ? { issuer: [...this.options.issuers] } : {}),
      }));
    } catch (error) {
      return { ok: false, reason: classify(error) };
    }
    const issuers = this.options.issuers;
    if (typeof issuers === 'function' && (typeof payload.iss !== 'string' || !issuers(payload.iss))) {
      return { ok: false, reason: 'wrong-issuer' };
    }
    const tenants = this.options.tenants;
    if (tenants !== 'any' && (typeof payload['tid'] !== 'string' || !tenants.includes(payload['tid']))) {
      return { ok: false, reason: 'wrong-tenant' };
    }
    const oid = payload['oid'];
    if (typeof oid !== 'string' || !/^[A-Za-z0-9._@:-]{1,128}$/.test(oid))
      return { ok: false, reason: 'malformed' };
    if (username !== oid) return { ok: false, reason: 'username-mismatch' };
    const audience = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    const stringClaim = (name: string) =>
      typeof payload[name] === 'string' ? (payload[name] as string) : undefined;
    return {
      ok: true,
      principal: {
        oid,
        tid: stringClaim('tid'),
        appId: stringClaim('appid') ?? stringClaim('azp'),
        issuer: payload.iss,
        audience: audience ?? '',
        expiresAtMs: (payload.exp as number) * 1000,
        notBeforeMs: typeof payload.nbf === 'number' ? payload.nbf * 1000 : undefined,
        tokenId: stringClaim('uti') ?? stringClaim('jti'),
      },
    };
  }
}

function classify(error: unknown): AuthFailureReason {
  const code = (error as { code?: unknown })?.code;
  const claim = (error as { claim?: unknown })?.claim;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (typeof claim === 'string' && RELEVANT_CLAIMS.has(claim)) {
        return claim === 'nbf' ? 'not-yet-valid' : claim === 'aud' ? 'wrong-audience' : 'wrong-issuer';
      }
      return 'malformed';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'bad-signature';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
    case 'ERR_JWK_INVALID':
      return 'malformed';
    default:
      return 'jwks-unavailable';
  }
}

function keyResolver(
  jwks: JwksSource,
  caPem: TokenValidatorOptions['jwksCaPem'],
): () => Promise<JWTVerifyGetKey> | JWTVerifyGetKey {
  if (typeof jwks === 'string' || jwks instanceof URL) {
    const url = new URL(jwks);
    const ca =
      caPem === undefined ? undefined : Array.isArray(caPem) ? [...caPem] : [caPem as string | Buffer];
    const remote = createRemoteJWKSet(
      url,
      url.protocol === 'https:' && ca ? { agent: new Agent({ ca }) } : {},
    );
    return () => remote;
  }
  if (typeof jwks === 'function') {
    // Rebuild the key set only when the function returns a different object.
    const cache = new WeakMap<JSONWebKeySet, JWTVerifyGetKey>();
    return async () => {
      const set = await jwks();
      let local = cache.get(set);
      if (!local) {
        local = createLocalJWKSet(set);
        cache.set(set, local);
      }
      return local;
    };
  }
  const local = createLocalJWKSet(jwks);
  return () => local;
}
