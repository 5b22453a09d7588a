import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { RegisteredUser } from './directory';
import type { AccessTokenVersion, ResourceConfig } from './options';
import type { SigningKeyRing } from './signing-key-ring';

/** Who an access token is for. */
export type TokenSubject =
  | { kind: 'app'; clientId: string; objectId: string; appidacr: '1' | '2' }
  | { kind: 'managed-identity'; clientId: string; objectId: string; resourceId: string }
  | { kind: 'user'; clientId: string; user: RegisteredUser; appidacr: '0' | '1' | '2'; scope: string };

export interface AccessTokenRequest {
  tenantId: string;
  resource: ResourceConfig;
  /** The resource as the request named it: `aud` of v1 tokens (v2 tokens always carry the app id). */
  audience: string;
  subject: TokenSubject;
  version: AccessTokenVersion;
  lifetimeSec: number;
}

export interface IssuedAccessToken {
  accessToken: string;
  /** Whole seconds from now to `exp` (`expires_in`). */
  expiresInSec: number;
  expiresOnSec: number;
  notBeforeSec: number;
}

/** `uti`: Entra's unique token id, 22 base64url characters. */
const uniqueTokenId = () => randomBytes(16).toString('base64url').slice(0, 22);

/** JWT times of a token (epoch seconds) and its `expires_in`. */
export interface TokenTimes {
  iat: number;
  exp: number;
  expiresInSec: number;
}

/**
 * `iat` rounded down, `exp` rounded up so the token lives at least `lifetimeSec` (and less than one
 * second more); `expiresInSec` is the whole seconds from now to `exp` (= `lifetimeSec` when whole).
 */
export function tokenTimes(nowMs: number, lifetimeSec: number): TokenTimes {
  const iat = Math.floor(nowMs / 1000);
  const exp = Math.ceil((nowMs + lifetimeSec * 1000) / 1000);
  return { iat, exp, expiresInSec: Math.floor((exp * 1000 - nowMs) / 1000) };
}

/** Entra's pairwise `sub` for user tokens: stable per user and app, opaque. */
export function pairwiseSubject(oid: string, clientId: string): string {
  return createHash('sha256').update(`${oid}:${clientId}`).digest('base64url').slice(0, 43);
}

/** Mints access and ID tokens shaped like Entra's, signed RS256 with the ring's current key. */
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeyRing,
    private readonly origin: string,
    private readonly now: () => number,
  ) {}

  /** `iss` of v2 tokens and of the OIDC document: the emulator authority plus `/{tid}/v2.0`. */
  v2Issuer(tenantId: string): string {
    return `${this.origin}/${tenantId}/v2.0`;
  }

  /** `iss` of v1 tokens, exactly as Azure writes it. */
  v1Issuer(tenantId: string): string {
    return `https://sts.windows.net/${tenantId}/`;
  }

  times(lifetimeSec: number): TokenTimes {
    return tokenTimes(this.now(), lifetimeSec);
  }

  async accessToken(request: AccessTokenRequest): Promise<IssuedAccessToken> {
    const { iat, exp, expiresInSec } = this.times(request.lifetimeSec);
    const { subject, tenantId, version } = request;
    const isUser = subject.kind === 'user';
    const oid = isUser ? subject.user.oid : subject.objectId;
    const claims: Record<string, unknown> = {
      aud: version === 1 ? request.audience : request.resource.appId,
      iss: version === 1 ? this.v1Issuer(tenantId) : this.v2Issuer(tenantId),
      iat,
      nbf: iat,
      exp,
      aio: randomBytes(24).toString('base64'),
      idp: isUser ? undefined : this.v1Issuer(tenantId),
      idtyp: isUser ? 'user' : 'app',
      oid,
      rh: `0.${randomBytes(12).toString('base64url')}.`,
      sub: isUser ? pairwiseSubject(oid, subject.clientId) : oid,
      tid: tenantId,
      uti: uniqueTokenId(),
      ver: version === 1 ? '1.0' : '2.0',
    };
    const acr = subject.kind === 'managed-identity' ? '2' : subject.appidacr;
    if (version === 1) {
      claims.appid = subject.clientId;
      claims.appidacr = acr;
    } else {
      claims.azp = subject.clientId;
      claims.azpacr = acr;
    }
    if (subject.kind === 'managed-identity') claims.xms_mirid = subject.resourceId;
    if (isUser) {
      claims.scp = subject.scope;
      claims.name = subject.user.name;
      if (version === 1) {
        claims.upn = subject.user.upn;
        claims.unique_name = subject.user.upn;
      } else {
        claims.preferred_username = subject.user.upn;
      }
    }
    const accessToken = await this.#sign(claims);
    return { accessToken, expiresInSec, expiresOnSec: exp, notBeforeSec: iat };
  }

  /** A v2 ID token for `clientId`, with `nonce` when the authorize request carried one. */
  async idToken(input: {
    tenantId: string;
    clientId: string;
    user: RegisteredUser;
    nonce: string | undefined;
    lifetimeSec: number;
  }): Promise<string> {
    const { iat, exp } = this.times(input.lifetimeSec);
    return this.#sign({
      aud: input.clientId,
      iss: this.v2Issuer(input.tenantId),
      iat,
      nbf: iat,
      exp,
      name: input.user.name,
      nonce: input.nonce,
      oid: input.user.oid,
      preferred_username: input.user.upn,
      sub: pairwiseSubject(input.user.oid, input.clientId),
      tid: input.tenantId,
      uti: uniqueTokenId(),
      ver: '2.0',
    });
  }

  async #sign(claims: Record<string, unknown>): Promise<string> {
    const key = this.keys.current;
    const defined = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
    return new SignJWT(defined)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .sign(key.privateKey);
  }
}

/** `client_info` of user flows: base64url of `{"uid": oid, "utid": tid}` (MSAL builds the account from it). */
export function clientInfo(oid: string, tenantId: string): string {
  return Buffer.from(JSON.stringify({ uid: oid, utid: tenantId })).toString('base64url');
}
