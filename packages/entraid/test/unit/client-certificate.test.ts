import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClientCertificate, createClientCertificate } from '@authx/emulator';
import { InvalidOptionError } from '@authx/token-core';
import { loadClientCertificate } from '../../src/flows/client-certificate';

describe('loadClientCertificate', () => {
  let cert: ClientCertificate;
  let dir: string;

  beforeAll(async () => {
    cert = await createClientCertificate();
    dir = mkdtempSync(join(tmpdir(), 'entraid-cert-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function optionOf(value: unknown): string {
    try {
      loadClientCertificate(value);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOptionError);
      return (error as InvalidOptionError).option;
    }
    throw new Error('expected an InvalidOptionError');
  }

  it('computes the SHA-256 thumbprint from the certificate (MSAL then signs PS256 with x5t#S256)', () => {
    const { clientCertificate } = loadClientCertificate({
      certificate: cert.certPem,
      privateKey: cert.keyPem,
    });
    expect(clientCertificate).toEqual({
      thumbprintSha256: cert.thumbprintSha256,
      privateKey: expect.stringContaining('BEGIN PRIVATE KEY'),
    });
  });

  it('accepts the @redis/entraid shape: SHA-1 thumbprint and key', () => {
    const { clientCertificate } = loadClientCertificate({
      thumbprint: cert.thumbprintSha1.toUpperCase(),
      privateKey: cert.keyPem,
    });
    expect(clientCertificate.thumbprint).toBe(cert.thumbprintSha1);
    expect(clientCertificate.thumbprintSha256).toBeUndefined();
  });

  it('keeps SHA-1 when the SHA-1 thumbprint is given with the certificate (ADFS needs x5t)', () => {
    const { clientCertificate } = loadClientCertificate({
      certificate: cert.certPem,
      privateKey: cert.keyPem,
      thumbprint: cert.thumbprintSha1,
    });
    expect(clientCertificate.thumbprint).toBe(cert.thumbprintSha1);
    expect(clientCertificate.thumbprintSha256).toBeUndefined();
  });

  it('uses SHA-256 when both thumbprints are given', () => {
    const { clientCertificate } = loadClientCertificate({
      certificate: cert.certPem,
      privateKey: cert.keyPem,
      thumbprint: cert.thumbprintSha1,
      thumbprintSha256: cert.thumbprintSha256,
    });
    expect(clientCertificate).toMatchObject({ thumbprintSha256: cert.thumbprintSha256 });
    expect(clientCertificate.thumbprint).toBeUndefined();
  });

  it('reads certificate and key from file paths, and a key from a combined PEM file', () => {
    const certPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    const combinedPath = join(dir, 'combined.pem');
    writeFileSync(certPath, cert.certPem);
    writeFileSync(keyPath, cert.keyPem);
    writeFileSync(combinedPath, `${cert.keyPem}\n${cert.certPem}`);
    expect(
      loadClientCertificate({ certificate: certPath, privateKey: keyPath }).clientCertificate
        .thumbprintSha256,
    ).toBe(cert.thumbprintSha256);
    const combined = loadClientCertificate({
      certificate: combinedPath,
      sendCertificateChain: true,
    }).clientCertificate;
    expect(combined.thumbprintSha256).toBe(cert.thumbprintSha256);
    expect(combined.x5c).toContain('BEGIN CERTIFICATE');
    expect(combined.x5c).not.toContain('PRIVATE KEY');
  });

  it('decrypts an encrypted key with its passphrase', () => {
    const encrypted = createPrivateKey(cert.keyPem)
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pass-phrase' })
      .toString();
    const { clientCertificate } = loadClientCertificate({
      certificate: cert.certPem,
      privateKey: encrypted,
      privateKeyPassphrase: 'pass-phrase',
    });
    expect(clientCertificate.privateKey).toContain('BEGIN PRIVATE KEY');
    expect(optionOf({ certificate: cert.certPem, privateKey: encrypted })).toBe('certificate.privateKey');
  });

  it('sends only the certificate chain as x5c when asked', () => {
    expect(
      loadClientCertificate({ certificate: cert.certPem, privateKey: cert.keyPem }).clientCertificate.x5c,
    ).toBeUndefined();
    expect(
      loadClientCertificate({
        certificate: cert.certPem,
        privateKey: cert.keyPem,
        sendCertificateChain: true,
      }).clientCertificate.x5c,
    ).toBe(cert.certPem.trim());
  });

  it('lists key material among the secrets to redact', () => {
    expect(loadClientCertificate({ certificate: cert.certPem, privateKey: cert.keyPem }).secrets).toContain(
      cert.keyPem,
    );
  });

  it.each([
    ['certificate', 'not an object'],
    ['certificate.thumbprint', { privateKey: 'PLACEHOLDER' }],
    ['certificate.privateKey', { thumbprint: 'a'.repeat(40) }],
    [
      'certificate.privateKey',
      {
        thumbprint: 'a'.repeat(40),
        privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      },
    ],
    ['certificate.privateKey', { thumbprint: 'a'.repeat(40), privateKey: '/nonexistent/key.pem' }],
    ['certificate.thumbprint', { thumbprint: 'xyz', privateKey: 'PLACEHOLDER' }],
    [
      'certificate.certificate',
      {
        certificate: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----',
        privateKey: 'PLACEHOLDER',
      },
    ],
    [
      'certificate.thumbprintSha256',
      { certificate: 'CERT', privateKey: 'PLACEHOLDER', thumbprintSha256: 'b'.repeat(64) },
    ],
    [
      'certificate.thumbprint',
      { certificate: 'CERT', privateKey: 'PLACEHOLDER', thumbprint: 'b'.repeat(40) },
    ],
    [
      'certificate.certificate',
      { thumbprint: 'a'.repeat(40), privateKey: 'PLACEHOLDER', sendCertificateChain: true },
    ],
  ])('names %s when it is unusable', (option, value) => {
    const fill = (v: unknown): unknown =>
      typeof v === 'object' && v !== null
        ? Object.fromEntries(
            Object.entries(v).map(([k, x]) => [
              k,
              x === 'PLACEHOLDER' ? cert.keyPem : x === 'CERT' ? cert.certPem : x,
            ]),
          )
        : v;
    expect(optionOf(fill(value))).toBe(option);
  });

  it('refuses a key that does not belong to the certificate', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(optionOf({ certificate: cert.certPem, privateKey: other })).toBe('certificate.privateKey');
  });

  it('never echoes key material in its errors', () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    try {
      loadClientCertificate({ certificate: cert.certPem, privateKey: other });
    } catch (error) {
      expect((error as Error).message).not.toContain('PRIVATE KEY');
    }
    expect.assertions(1);
  });
});
