import { type KeyObject, timingSafeEqual, X509Certificate } from 'node:crypto';
import {
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  type JWTVerifyGetKey,
  type JWTVerifyResult,
  jwtVerify,
} from 'jose';
import { certificateThumbprints } from '../tls';
import { hashSecret, type RegisteredApp, type RegisteredCertificate } from './directory';
import { EntraProtocolError } from './entra-error-response';
import type { ReplayCache } from './grant-stores';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ASSERTION_ALGORITHMS = ['RS256', 'PS256'];
/** Entra allows five minutes of clock skew on assertions. */
const CLOCK_TOLERANCE_SEC = 300;

/** How the client proved its identity; becomes `appidacr` / `azpacr` (0 none, 1 secret, 2 certificate or federated). */
export type ClientAuthentication = {
  method: 'none' | 'secret' | 'certificate' | 'federated';
  acr: '0' | '1' | '2';
};

export interface ClientCredentials {
  clientSecret: string | undefined;
  clientAssertion: string | undefined;
  clientAssertionType: string | undefined;
}

export interface ClientAuthenticatorDeps {
  /** Exact `aud` values accepted on certificate assertions: the token endpoint URLs. */
  tokenEndpointAudiences: (tenantSegment: string) => string[];
  /** The emulator's own federated issuer, used when a federated credential names no issuer. */
  defaultFederatedIssuer: string;
  trustedIssuers: Map<string, JWTVerifyGetKey>;
  replayCache: ReplayCache;
  /** Refuse a certificate assertion whose `jti` was seen before (Entra itself accepts reuse). */
  rejectReplayedAssertions: boolean;
  now: () => number;
}

/** Authenticates the client of a token request: secret, certificate assertion or federated assertion. */
export class ClientAuthenticator {
  constructor(private readonly deps: ClientAuthenticatorDeps) {}

  async authenticate(
    app: RegisteredApp,
    credentials: ClientCredentials,
    context: { tenantSegment: string; allowPublic: boolean },
  ): Promise<ClientAuthentication> {
    if (credentials.clientAssertion !== undefined) {
      if (credentials.clientAssertionType !== JWT_BEARER) {
        throw EntraProtocolError.missingParameter(`client_assertion_type' with value '${JWT_BEARER}`);
      }
      return this.#assertion(app, credentials.clientAssertion, context.tenantSegment);
    }
    if (credentials.clientSecret !== undefined) {
      const presented = hashSecret(credentials.clientSecret);
      if (app.secretHashes.some((hash) => timingSafeEqual(hash, presented)))
        return { method: 'secret', acr: '1' };
      throw new EntraProtocolError(
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
    }
    if (context.allowPublic && app.publicClient) return { method: 'none', acr: '0' };
    throw new EntraProtocolError(
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }

  async #assertion(
    app: RegisteredApp,
    assertion: string,
    tenantSegment: string,
  ): Promise<ClientAuthentication> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: ReturnType<typeof decodeJwt>;
    try {
      header = decodeProtectedHeader(assertion);
      claims = decodeJwt(assertion);
    } catch {
      throw new EntraProtocolError('invalid_client', 50027, 'JWT token is invalid or malformed.');
    }
    if (claims.iss === app.clientId) {
      await this.#certificateAssertion(app, assertion, header, tenantSegment);
      return { method: 'certificate', acr: '2' };
    }
    await this.#federatedAssertion(app, assertion, claims);
    return { method: 'federated', acr: '2' };
  }

  async #certificateAssertion(
    app: RegisteredApp,
    assertion: string,
    header: ReturnType<typeof decodeProtectedHeader>,
    tenantSegment: string,
  ): Promise<void> {
    const x5tS256 = header['x5t#S256'];
    const x5t = header.x5t;
    const presented =
      typeof x5tS256 === 'string'
        ? { kind: 'thumbprintSha256' as const, hex: Buffer.from(x5tS256, 'base64url').toString('hex') }
        : typeof x5t === 'string'
          ? { kind: 'thumbprintSha1' as const, hex: Buffer.from(x5t, 'base64url').toString('hex') }
          : undefined;
    if (!presented) {
      throw new EntraProtocolError(
        'invalid_client',
        700027,
        "Client assertion failed signature validation. [Reason - The assertion has neither an 'x5t' nor an 'x5t#S256' header.]",
      );
    }
    const thumbprint = presented.hex.toUpperCase();
    const registered = app.certificates.find(
      (cert: RegisteredCertificate) => cert[presented.kind] === presented.hex,
    );
    let certificate: X509Certificate;
    if (registered) certificate = new X509Certificate(registered.certPem);
    else if (app.trustedCertificateSubjects.length > 0 && header.x5c !== undefined) {
      certificate = this.#subjectNameIssuerCertificate(app, header.x5c, presented, thumbprint);
    } else {
      throw new EntraProtocolError(
        'invalid_client',
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}']`,
      );
    }
    this.#requireValidNow(certificate, thumbprint);
    const result = await this.#verify(assertion, certificate.publicKey, {
      audience: this.deps.tokenEndpointAudiences(tenantSegment),
      issuer: app.clientId,
      subject: app.clientId,
    });
    this.#rejectReplay(result);
  }

  /**
   * Subject name + issuer: the `x5c` leaf must be the certificate the thumbprint names, carry a
   * trusted subject, and chain (through the other `x5c` certificates) to that subject's CA.
   */
  #subjectNameIssuerCertificate(
    app: RegisteredApp,
    x5c: unknown,
    presented: { kind: 'thumbprintSha1' | 'thumbprintSha256'; hex: string },
    thumbprint: string,
  ): X509Certificate {
    const refuse = (reason: string) =>
      new EntraProtocolError(
        'invalid_client',
        700027,
        `Client assertion contains an invalid signature. [Reason - ${reason}, Thumbprint of key used by client: '${thumbprint}']`,
      );
    let chain: X509Certificate[];
    try {
      if (!Array.isArray(x5c) || x5c.length === 0) throw new Error('empty');
      chain = x5c.map((der) => new X509Certificate(Buffer.from(String(der), 'base64')));
    } catch {
      throw refuse("The 'x5c' header does not hold a certificate chain.");
    }
    const leaf = chain[0]!;
    const pem = leaf.toString();
    if (certificateThumbprints(pem)[presented.kind] !== presented.hex) {
      throw refuse("The 'x5t' thumbprint is not the thumbprint of the first 'x5c' certificate.");
    }
    const subject = distinguishedName(leaf.subject);
    const candidates = app.trustedCertificateSubjects.filter(
      (trusted) => distinguishedName(trusted.subjectName) === subject,
    );
    if (candidates.length === 0) {
      throw refuse(
        `The certificate subject '${leaf.subject.replace(/\n/g, ', ')}' is not a trusted subject of the application.`,
      );
    }
    for (let index = 0; index < chain.length - 1; index++) {
      if (!issuedBy(chain[index]!, chain[index + 1]!)) throw refuse("The 'x5c' chain is broken.");
    }
    const last = chain[chain.length - 1]!;
    const trustedIssuer = candidates.some(
      (trusted) => last.fingerprint256 === trusted.issuer.fingerprint256 || issuedBy(last, trusted.issuer),
    );
    if (!trustedIssuer) throw refuse('The certificate chain does not lead to the trusted issuer.');
    for (const intermediate of chain.slice(1)) this.#requireValidNow(intermediate, thumbprint);
    return leaf;
  }

  /** Entra refuses a key credential outside its start and end dates (a certificate's validity). */
  #requireValidNow(certificate: X509Certificate, thumbprint: string): void {
    const nowMs = this.deps.now();
    const start = new Date(certificate.validFrom);
    const end = new Date(certificate.validTo);
    const found = `Found key 'Start=${entraKeyDate(start)}, End=${entraKeyDate(end)}'`;
    const reason =
      nowMs < start.getTime()
        ? 'The key is not yet valid.'
        : nowMs > end.getTime()
          ? 'The key used is expired.'
          : undefined;
    if (reason) {
      throw new EntraProtocolError(
        'invalid_client',
        700027,
        `Client assertion contains an invalid signature. [Reason - ${reason}, Thumbprint of key used by client: '${thumbprint}', ${found}]`,
      );
    }
  }

  async #federatedAssertion(
    app: RegisteredApp,
    assertion: string,
    claims: ReturnType<typeof decodeJwt>,
  ): Promise<void> {
    const issuer = String(claims.iss);
    const keys = this.deps.trustedIssuers.get(issuer);
    const records = app.federatedCredentials.filter(
      (record) => (record.issuer ?? this.deps.defaultFederatedIssuer) === issuer,
    );
    const presented = `Assertion Issuer: '${issuer}'. Assertion Subject: '${String(claims.sub)}'. Assertion Audience: '${[claims.aud].flat().join(',')}'.`;
    if (!keys || records.length === 0) {
      throw new EntraProtocolError(
        'invalid_client',
        700211,
        `No matching federated identity record found for presented assertion issuer '${issuer}'. ${presented}`,
      );
    }
    const bySubject = records.filter((record) => record.subject === claims.sub);
    if (bySubject.length === 0) {
      throw new EntraProtocolError(
        'invalid_client',
        700213,
        `No matching federated identity record found for presented assertion subject '${String(claims.sub)}'. ${presented}`,
      );
    }
    const audiences = bySubject.flatMap((record) => record.audiences);
    await this.#verify(assertion, keys, { audience: audiences, issuer });
  }

  async #verify(
    assertion: string,
    key: KeyObject | JWTVerifyGetKey,
    expected: { audience: string[]; issuer: string; subject?: string },
  ): Promise<JWTVerifyResult> {
    try {
      const verifyOptions = {
        algorithms: ASSERTION_ALGORITHMS,
        audience: expected.audience,
        issuer: expected.issuer,
        subject: expected.subject,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_TOLERANCE_SEC,
        currentDate: new Date(this.deps.now()),
      };
      return typeof key === 'function'
        ? await jwtVerify(assertion, key, verifyOptions)
        : await jwtVerify(assertion, key, verifyOptions);
    } catch (error) {
      throw assertionFailure(error);
    }
  }

  /**
   * A certificate assertion must carry a `jti`; with `rejectReplayedAssertions` it must also be one
   * not seen before. Federated tokens are always reusable, as on Entra.
   */
  #rejectReplay(result: JWTVerifyResult): void {
    const { jti, exp } = result.payload;
    if (jti === undefined) {
      throw new EntraProtocolError(
        'invalid_client',
        50027,
        "JWT token is invalid or malformed: the 'jti' claim is missing.",
      );
    }
    if (this.deps.rejectReplayedAssertions && !this.deps.replayCache.remember(jti, (exp ?? 0) * 1000)) {
      throw new EntraProtocolError(
        'invalid_client',
        50027,
        "JWT token is invalid or malformed: the client assertion's 'jti' was already used.",
      );
    }
  }
}

/** `MM/dd/yyyy HH:mm:ss` (UTC), as Entra prints key dates. */
function entraKeyDate(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${date.getUTCFullYear()} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

/** A DN normalised for comparison: RDNs lower-cased, trimmed and sorted. */
function distinguishedName(dn: string): string {
  return dn
    .split(/\n|,(?=\s*[A-Za-z.0-9]+=)/)
    .map((rdn) => rdn.trim().toLowerCase())
    .filter(Boolean)
    .sort()
    .join(',');
}

function issuedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}

function assertionFailure(error: unknown): EntraProtocolError {
  if (error instanceof joseErrors.JWTExpired) {
    return new EntraProtocolError(
      'invalid_client',
      700024,
      'Client assertion is not within its valid time range.',
    );
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') {
      return new EntraProtocolError(
        'invalid_client',
        700212,
        "No matching federated identity record or token endpoint found for presented assertion audience (the 'aud' claim).",
      );
    }
    if (error.claim === 'nbf') {
      return new EntraProtocolError(
        'invalid_client',
        700024,
        'Client assertion is not within its valid time range.',
      );
    }
    return new EntraProtocolError(
      'invalid_client',
      50027,
      `JWT token is invalid or malformed: the '${error.claim}' claim check failed.`,
    );
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return new EntraProtocolError(
      'invalid_client',
      50027,
      'JWT token is invalid or malformed: the algorithm is not allowed (RS256 or PS256).',
    );
  }
  return new EntraProtocolError('invalid_client', 700027, 'Client assertion failed signature validation.');
}
