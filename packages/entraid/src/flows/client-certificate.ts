import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  ClientAssertion,
  type ClientAssertionCallback,
  CryptoProvider,
  type NodeAuthOptions,
} from '@azure/msal-node';
import { invalidOption } from '../invalid-option';
import { optionalString } from '../validate';

/**
 * A client certificate: the @redis/entraid shape (`thumbprint` + `privateKey` [+ `x5c`]) or PEM
 * text / file paths from which thumbprints are computed. PEM values may be given inline or as paths.
 *
 * Which hash signs the assertion follows what was given: `thumbprintSha256` → SHA-256 (PS256,
 * `x5t#S256`); otherwise `thumbprint` → SHA-1 (RS256, `x5t`) — ADFS and other non-Entra authorities
 * accept only that; neither → SHA-256 computed from `certificate`.
 */
export interface ClientCertificateOptions {
  /**
   * The certificate as PEM (leaf first, then the chain) or a path to a PEM file. May also hold the
   * private key (a combined PEM file, as Azure tools export). Needed to compute thumbprints and to
   * send the chain; optional when `thumbprint`/`thumbprintSha256` and `privateKey` are given.
   */
  certificate?: string;
  /** PEM private key (PKCS#8 or PKCS#1, optionally encrypted) or a path to one. Required unless `certificate` contains it. */
  privateKey?: string;
  /** Passphrase of an encrypted private key. */
  privateKeyPassphrase?: string;
  /**
   * Hex SHA-1 thumbprint (@redis/entraid). When given (and `thumbprintSha256` is not) the assertion
   * is signed RS256 with `x5t` (SHA-1), as ADFS requires; checked against `certificate` when both are given.
   */
  thumbprint?: string;
  /**
   * Hex SHA-256 thumbprint: the assertion is signed PS256 with `x5t#S256`. Checked against
   * `certificate` when both are given; used (computed from `certificate`) when no thumbprint is given.
   */
  thumbprintSha256?: string;
  /** PEM certificate chain to send as `x5c` (@redis/entraid), inline or a path. */
  x5c?: string;
  /** Send `certificate` as `x5c` (needed for subject name / issuer authentication). Default false. */
  sendCertificateChain?: boolean;
}

/** What MSAL gets, plus the secret material to keep out of messages. */
export interface LoadedClientCertificate {
  clientCertificate: NonNullable<NodeAuthOptions['clientCertificate']>;
  secrets: string[];
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_BLOCK =
  /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/;

/** Validates and normalises a client certificate; every problem is an InvalidOptionError naming the field. */
export function loadClientCertificate(value: unknown): LoadedClientCertificate {
  if (typeof value !== 'object' || value === null) {
    throw invalidOption(
      'certificate',
      'an object with privateKey and certificate (PEM or path) or thumbprint',
      value,
    );
  }
  const options = value as ClientCertificateOptions;
  const certificatePem =
    options.certificate === undefined ? undefined : readPem('certificate.certificate', options.certificate);
  const certificates: string[] = certificatePem?.match(CERTIFICATE_BLOCK) ?? [];
  if (certificatePem !== undefined && certificates.length === 0) {
    throw invalidOption(
      'certificate.certificate',
      'PEM text with a -----BEGIN CERTIFICATE----- block, or a path to such a file',
      'no certificate block',
    );
  }
  const leaf = certificates.length > 0 ? parseCertificate(certificates[0]) : undefined;

  const keyPem =
    options.privateKey !== undefined
      ? readPem('certificate.privateKey', options.privateKey)
      : PRIVATE_KEY_BLOCK.exec(certificatePem ?? '')?.[0];
  if (keyPem === undefined) {
    throw invalidOption(
      'certificate.privateKey',
      'a PEM private key or a path to one (or a certificate PEM that contains the key)',
      undefined,
    );
  }
  const passphrase = optionalString('certificate.privateKeyPassphrase', options.privateKeyPassphrase);
  const key = parsePrivateKey(keyPem, passphrase);
  if (leaf && !leaf.checkPrivateKey(key)) {
    throw invalidOption(
      'certificate.privateKey',
      'the private key of certificate.certificate (the key does not match its public key)',
      'another key',
    );
  }
  // MSAL signs with jsonwebtoken and expects an unencrypted PEM: hand it PKCS#8.
  const privateKey = key.export({ format: 'pem', type: 'pkcs8' }).toString();

  const thumbprints = resolveThumbprints(options, leaf);
  const x5c = resolveX5c(options, certificatePem);
  return {
    clientCertificate: { ...thumbprints, privateKey, ...(x5c ? { x5c } : {}) },
    secrets: [privateKey, keyPem, ...(passphrase ? [passphrase] : [])],
  };
}

function resolveThumbprints(
  options: ClientCertificateOptions,
  leaf: X509Certificate | undefined,
): { thumbprint?: string; thumbprintSha256?: string } {
  const sha1 = hexThumbprint('certificate.thumbprint', options.thumbprint, 40);
  const sha256 = hexThumbprint('certificate.thumbprintSha256', options.thumbprintSha256, 64);
  if (leaf) {
    const computedSha256 = leaf.fingerprint256.replace(/:/g, '').toLowerCase();
    const computedSha1 = leaf.fingerprint.replace(/:/g, '').toLowerCase();
    if (sha256 !== undefined && sha256 !== computedSha256) {
      throw invalidOption(
        'certificate.thumbprintSha256',
        'the SHA-256 thumbprint of certificate.certificate (or leave it out: it is computed)',
        'a different thumbprint',
      );
    }
    if (sha1 !== undefined && sha1 !== computedSha1) {
      throw invalidOption(
        'certificate.thumbprint',
        'the SHA-1 thumbprint of certificate.certificate (or leave it out: it is computed)',
        'a different thumbprint',
      );
    }
    // A SHA-1 thumbprint alone is the user's choice of SHA-1 (x5t): ADFS does not accept x5t#S256.
    if (sha1 !== undefined && sha256 === undefined) return { thumbprint: sha1 };
    return { thumbprintSha256: computedSha256 };
  }
  if (sha256 !== undefined) return { thumbprintSha256: sha256 };
  if (sha1 !== undefined) return { thumbprint: sha1 };
  throw invalidOption(
    'certificate.thumbprint',
    'a hex thumbprint (thumbprint: SHA-1, thumbprintSha256: SHA-256), or certificate.certificate to compute it from',
    undefined,
  );
}

function resolveX5c(
  options: ClientCertificateOptions,
  certificatePem: string | undefined,
): string | undefined {
  if (options.sendCertificateChain !== undefined && typeof options.sendCertificateChain !== 'boolean') {
    throw invalidOption('certificate.sendCertificateChain', 'a boolean', options.sendCertificateChain);
  }
  if (options.x5c !== undefined) {
    const blocks = readPem('certificate.x5c', options.x5c).match(CERTIFICATE_BLOCK) ?? [];
    if (blocks.length === 0)
      throw invalidOption(
        'certificate.x5c',
        'PEM certificate chain text or a path to it',
        'no certificate block',
      );
    return blocks.join('\n');
  }
  if (options.sendCertificateChain) {
    if (certificatePem === undefined)
      throw invalidOption(
        'certificate.certificate',
        'the certificate chain (PEM or path) when sendCertificateChain is true',
        undefined,
      );
    // Only the certificate blocks: a combined PEM file also holds the private key.
    return (certificatePem.match(CERTIFICATE_BLOCK) ?? []).join('\n');
  }
  return undefined;
}

function readPem(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw invalidOption(option, 'PEM text or a path to a PEM file', value);
  if (value.includes('-----BEGIN ')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch {
    throw invalidOption(option, 'PEM text or a path to a readable PEM file', 'a path that cannot be read');
  }
}

function parseCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw invalidOption(
      'certificate.certificate',
      'a valid X.509 certificate in PEM',
      'an unparsable certificate',
    );
  }
}

function parsePrivateKey(pem: string, passphrase: string | undefined): KeyObject {
  try {
    return createPrivateKey({ key: pem, format: 'pem', ...(passphrase ? { passphrase } : {}) });
  } catch {
    throw invalidOption(
      'certificate.privateKey',
      'a PEM private key (PKCS#8 or PKCS#1; an encrypted key needs certificate.privateKeyPassphrase)',
      'an unusable key',
    );
  }
}

function hexThumbprint(option: string, value: unknown, hexChars: number): string | undefined {
  if (value === undefined) return undefined;
  const normalised = typeof value === 'string' ? value.replace(/[:\s]/g, '').toLowerCase() : '';
  if (!new RegExp(`^[0-9a-f]{${hexChars}}$`).test(normalised))
    throw invalidOption(option, `${hexChars} hex characters`, value);
  return normalised;
}

/**
 * A client-assertion callback that has MSAL sign a new assertion (new `jti`) for every token
 * request. MSAL's own certificate handling reuses one assertion for up to 10 minutes, which a
 * server enforcing RFC 7523 replay protection (one use per `jti`) refuses from the second refresh on.
 */
export function freshAssertionCallback(
  certificate: LoadedClientCertificate['clientCertificate'],
): ClientAssertionCallback {
  const cryptoProvider = new CryptoProvider();
  return async ({ clientId, tokenEndpoint }) => {
    const assertion = certificate.thumbprintSha256
      ? ClientAssertion.fromCertificateWithSha256Thumbprint(
          certificate.thumbprintSha256,
          certificate.privateKey,
          certificate.x5c,
        )
      : ClientAssertion.fromCertificate(
          certificate.thumbprint ?? '',
          certificate.privateKey,
          certificate.x5c,
        );
    return assertion.getJwt(cryptoProvider, clientId, tokenEndpoint ?? '');
  };
}
