import { createLocalJWKSet, type JWTVerifyGetKey, SignJWT } from 'jose';
import { FEDERATED_AUDIENCE } from './defaults';
import type { TrustedIssuerConfig } from './options';
import { generateSigningKey, type JsonWebKeySet, type SigningKey } from './signing-key-ring';

/** Options of `EntraEmulator.issueFederatedToken()`. */
export interface FederatedTokenOptions {
  /** `sub`; default `system:serviceaccount:default:workload` (the default app's federated credential). */
  subject?: string;
  /** `aud`; default `api://AzureADTokenExchange`. */
  audience?: string;
  /** Lifetime in seconds; default 3600. */
  lifetimeSec?: number;
}

/**
 * An OIDC issuer that stands in for a Kubernetes cluster or GitHub Actions: it signs the JWTs a
 * workload presents as a federated credential. Its keys are served at `{issuer}/keys`.
 */
export class FederatedIssuer {
  private constructor(
    readonly issuer: string,
    private readonly key: SigningKey,
    private readonly now: () => number,
    private readonly defaultSubject: string,
  ) {}

  /** `key` defaults to a new one; pass one generated earlier to start faster. */
  static async create(
    issuer: string,
    now: () => number,
    defaultSubject: string,
    key?: SigningKey,
  ): Promise<FederatedIssuer> {
    return new FederatedIssuer(issuer, key ?? (await generateSigningKey()), now, defaultSubject);
  }

  jwks(): JsonWebKeySet {
    return { keys: [this.key.publicJwk] };
  }

  async issue(options: FederatedTokenOptions = {}): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.key.kid })
      .setIssuer(this.issuer)
      .setSubject(options.subject ?? this.defaultSubject)
      .setAudience(options.audience ?? FEDERATED_AUDIENCE)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(iat + Math.ceil(options.lifetimeSec ?? 3600))
      .setJti(crypto.randomUUID())
      .sign(this.key.privateKey);
  }
}

/** Key resolvers of every issuer trusted for federated credentials, by exact `iss`. */
export function trustedIssuerKeys(
  own: FederatedIssuer,
  extra: readonly TrustedIssuerConfig[],
): Map<string, JWTVerifyGetKey> {
  const keys = new Map<string, JWTVerifyGetKey>();
  keys.set(own.issuer, createLocalJWKSet(own.jwks()));
  for (const trusted of extra)
    keys.set(trusted.issuer, createLocalJWKSet(trusted.jwks as unknown as JsonWebKeySet));
  return keys;
}
