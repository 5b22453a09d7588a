import { X509Certificate } from 'node:crypto';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, createClientCertificate } from '../../src/tls';

function httpsGetStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('createCertificateAuthority', () => {
  it('issues a server certificate that node:https trusts for 127.0.0.1, ::1 and localhost', async () => {
    const ca = await createCertificateAuthority();
    const server = await ca.issueServerCertificate({ dns: ['localhost'], ips: ['127.0.0.1', '::1'] });
    const https = createServer({ key: server.keyPem, cert: server.certPem }, (_request, response) =>
      response.end('ok'),
    );
    await new Promise<void>((resolve) => https.listen(0, '::', resolve));
    const { port } = https.address() as AddressInfo;
    try {
      expect(await httpsGetStatus(`https://127.0.0.1:${port}/`, ca.certPem)).toBe(200);
      expect(await httpsGetStatus(`https://[::1]:${port}/`, ca.certPem)).toBe(200);
      expect(await httpsGetStatus(`https://localhost:${port}/`, ca.certPem)).toBe(200);
    } finally {
      await new Promise((resolve) => https.close(resolve));
    }
  });

  it('is rejected by a client that does not trust the CA', async () => {
    const ca = await createCertificateAuthority();
    const other = await createCertificateAuthority();
    const server = await ca.issueServerCertificate({ dns: ['localhost'], ips: ['127.0.0.1'] });
    const https = createServer({ key: server.keyPem, cert: server.certPem }, (_request, response) =>
      response.end('ok'),
    );
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const { port } = https.address() as AddressInfo;
    try {
      await expect(httpsGetStatus(`https://127.0.0.1:${port}/`, other.certPem)).rejects.toThrow();
    } finally {
      await new Promise((resolve) => https.close(resolve));
    }
  });
});

describe('createClientCertificate', () => {
  it('returns a certificate, its key and the SHA-1 / SHA-256 thumbprints of its DER form', async () => {
    const client = await createClientCertificate({ commonName: 'my app' });
    const parsed = new X509Certificate(client.certPem);
    expect(parsed.subject).toBe('CN=my app');
    expect(parsed.fingerprint.replaceAll(':', '').toLowerCase()).toBe(client.thumbprintSha1);
    expect(parsed.fingerprint256.replaceAll(':', '').toLowerCase()).toBe(client.thumbprintSha256);
    expect(client.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});
