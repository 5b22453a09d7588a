import { createHash, X509Certificate } from 'node:crypto';
import { generateRsaKeyPair, privateKeyToPem, RSA_SHA256, randomSerialNumber, x509 } from './x509-provider';

/** A certificate with its PKCS#8 private key, both PEM. */
export interface CertificateWithKey {
  readonly certPem: string;
  readonly keyPem: string;
}

/** A throw-away certificate authority that lives as long as the emulator. */
export interface CertificateAuthority {
  /** PEM of the self-signed CA certificate (what clients must trust). */
  readonly certPem: string;
  /** Issues a TLS server certificate for the given DNS names and IP addresses. */
  issueServerCertificate(names: { dns: string[]; ips: string[] }): Promise<CertificateWithKey>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Creates a new RSA CA. Its private key never leaves this closure: only certificates it signs
 * and their own keys are handed out.
 */
export async function createCertificateAuthority(
  commonName = 'authx emulator CA',
): Promise<CertificateAuthority> {
  const caKeys = await generateRsaKeyPair();
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: `CN=${commonName}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 30 * DAY_MS),
    signingAlgorithm: RSA_SHA256,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });

  return {
    certPem: caCert.toString('pem'),
    async issueServerCertificate(names) {
      const keys = await generateRsaKeyPair();
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerialNumber(),
        subject: `CN=${names.dns[0] ?? names.ips[0] ?? 'localhost'}`,
        issuer: caCert.subject,
        notBefore: new Date(now - DAY_MS),
        notAfter: new Date(now + 30 * DAY_MS),
        signingAlgorithm: RSA_SHA256,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          ),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension([
            ...names.dns.map((value) => ({ type: 'dns' as const, value })),
            ...names.ips.map((value) => ({ type: 'ip' as const, value })),
          ]),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
      });
      return { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey) };
    },
  };
}

/** A client certificate for Entra certificate credentials, with the thumbprints Entra and MSAL use. */
export interface ClientCertificate extends CertificateWithKey {
  /**
   * The certificate followed by its issuer's (just the certificate when self-signed): what MSAL
   * sends as `x5c` (`clientCertificate.x5c`) for subject name + issuer authentication.
   */
  readonly chainPem: string;
  /** Hex SHA-1 of the DER certificate (MSAL `clientCertificate.thumbprint`, header `x5t`). */
  readonly thumbprintSha1: string;
  /** Hex SHA-256 of the DER certificate (MSAL `clientCertificate.thumbprintSha256`, header `x5t#S256`). */
  readonly thumbprintSha256: string;
}

/** Options of {@link createClientCertificate}. */
export interface ClientCertificateOptions {
  /** Subject common name; default `authx test client`. */
  commonName?: string;
  /** Validity in days from now; default 30 (ignored when `notAfter` is given). */
  validityDays?: number;
  /** Start of validity; default one day ago. A future date makes a not-yet-valid certificate. */
  notBefore?: Date;
  /** End of validity; default `validityDays` from now. A past date makes an expired certificate. */
  notAfter?: Date;
}

function validity(options: ClientCertificateOptions): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return {
    notBefore: options.notBefore ?? new Date(now - DAY_MS),
    notAfter: options.notAfter ?? new Date(now + (options.validityDays ?? 30) * DAY_MS),
  };
}

/** Creates a self-signed RSA-2048 client certificate and its key, for registering on an app. */
export async function createClientCertificate(
  options: ClientCertificateOptions = {},
): Promise<ClientCertificate> {
  const keys = await generateRsaKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: `CN=${options.commonName ?? 'authx test client'}`,
    ...validity(options),
    signingAlgorithm: RSA_SHA256,
    keys,
    extensions: [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)],
  });
  const certPem = cert.toString('pem');
  return {
    certPem,
    chainPem: certPem,
    keyPem: await privateKeyToPem(keys.privateKey),
    ...certificateThumbprints(certPem),
  };
}

/** A CA that issues client certificates (for subject name + issuer authentication). */
export interface ClientCertificateIssuer {
  /** PEM of the CA certificate: what an app's `trustedCertificateSubjects` trusts. */
  readonly certPem: string;
  /** Issues a client certificate (`CN={commonName}`) signed by this CA; `chainPem` includes the CA. */
  issue(options?: ClientCertificateOptions): Promise<ClientCertificate>;
}

/** Creates a throw-away CA for client certificates; its private key never leaves it. */
export async function createClientCertificateIssuer(
  options: { commonName?: string } = {},
): Promise<ClientCertificateIssuer> {
  const caKeys = await generateRsaKeyPair();
  const now = Date.now();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: `CN=${options.commonName ?? 'authx test client CA'}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    signingAlgorithm: RSA_SHA256,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caPem = caCert.toString('pem');
  return {
    certPem: caPem,
    async issue(certOptions = {}) {
      const keys = await generateRsaKeyPair();
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerialNumber(),
        subject: `CN=${certOptions.commonName ?? 'authx test client'}`,
        issuer: caCert.subject,
        ...validity(certOptions),
        signingAlgorithm: RSA_SHA256,
        publicKey: keys.publicKey,
        signingKey: caKeys.privateKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
          await x509.AuthorityKeyIdentifierExtension.create(caCert),
        ],
      });
      const certPem = cert.toString('pem');
      return {
        certPem,
        chainPem: `${certPem.trim()}\n${caPem.trim()}\n`,
        keyPem: await privateKeyToPem(keys.privateKey),
        ...certificateThumbprints(certPem),
      };
    },
  };
}

/** SHA-1 and SHA-256 thumbprints (lower-case hex) of a PEM certificate's DER encoding. */
export function certificateThumbprints(certPem: string): {
  thumbprintSha1: string;
  thumbprintSha256: string;
} {
  const der = new X509Certificate(certPem).raw;
  return {
    thumbprintSha1: createHash('sha1').update(der).digest('hex'),
    thumbprintSha256: createHash('sha256').update(der).digest('hex'),
  };
}
