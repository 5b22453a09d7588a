import { ConfidentialClientApplication, ServerError } from '@azure/msal-node';
import { decodeJwt } from 'jose';
import {
  type ClientCertificate,
  type ClientCertificateIssuer,
  createClientCertificate,
  createClientCertificateIssuer,
  type EntraEmulator,
  startEntraEmulator,
} from '../../src';

const REDIS_SCOPE = 'https://redis.azure.com/.default';
const DAY_MS = 24 * 3600_000;

describe('Entra emulator › certificate credentials: validity dates and subject name + issuer', () => {
  let emulator: EntraEmulator;
  let issuer: ClientCertificateIssuer;
  let clientCount = 0;

  beforeAll(async () => {
    [emulator, issuer] = await Promise.all([startEntraEmulator(), createClientCertificateIssuer()]);
  });
  afterAll(() => emulator.stop());

  /** An MSAL client for a new app; `x5c` sends the chain (subject name + issuer authentication). */
  function clientFor(
    app: {
      certificates?: string[];
      trustedCertificateSubjects?: { subjectName: string; issuerCertificatePem: string }[];
    },
    signWith: ClientCertificate,
    x5c = false,
  ): ConfidentialClientApplication {
    const clientId = `c0000000-0000-4000-8000-${String(++clientCount).padStart(12, '0')}`;
    emulator.addApp({ clientId, ...app });
    const config = emulator.msalConfig({ clientId });
    return new ConfidentialClientApplication({
      ...config,
      auth: {
        ...config.auth,
        clientCertificate: {
          thumbprintSha256: signWith.thumbprintSha256,
          privateKey: signWith.keyPem,
          ...(x5c ? { x5c: signWith.chainPem } : {}),
        },
      },
    });
  }

  async function failure(client: ConfidentialClientApplication): Promise<ServerError> {
    const error = await client
      .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ errorCode: 'invalid_client', status: 401 });
    return error as ServerError;
  }

  describe('registered certificates (x5t / x5t#S256)', () => {
    it('refuses an expired certificate with AADSTS700027 "The key used is expired"', async () => {
      const expired = await createClientCertificate({
        notBefore: new Date(Date.now() - 30 * DAY_MS),
        notAfter: new Date(Date.now() - DAY_MS),
      });
      const error = await failure(clientFor({ certificates: [expired.certPem] }, expired));
      expect(error.message).toMatch(
        /AADSTS700027: Client assertion contains an invalid signature\. \[Reason - The key used is expired\., Thumbprint of key used by client: '[0-9A-F]{64}', Found key 'Start=\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d, End=/,
      );
    });

    it('refuses a certificate that is not valid yet with AADSTS700027 "The key is not yet valid"', async () => {
      const future = await createClientCertificate({
        notBefore: new Date(Date.now() + DAY_MS),
        notAfter: new Date(Date.now() + 30 * DAY_MS),
      });
      const error = await failure(clientFor({ certificates: [future.certPem] }, future));
      expect(error.message).toContain('[Reason - The key is not yet valid.');
    });

    it('accepts a certificate inside its validity', async () => {
      const valid = await createClientCertificate({ validityDays: 1 });
      const result = await clientFor({ certificates: [valid.certPem] }, valid).acquireTokenByClientCredential(
        {
          scopes: [REDIS_SCOPE],
        },
      );
      expect(decodeJwt(result!.accessToken)).toMatchObject({ appidacr: '2' });
    });
  });

  describe('subject name + issuer (opt-in trustedCertificateSubjects, x5c)', () => {
    const trusting = (subjectName: string) => ({
      trustedCertificateSubjects: [{ subjectName, issuerCertificatePem: issuer.certPem }],
    });

    it('accepts an unregistered certificate of the trusted subject and CA, sent with its chain (MSAL x5c)', async () => {
      const cert = await issuer.issue({ commonName: 'sni-app.authx.example' });
      const result = await clientFor(
        trusting('CN=sni-app.authx.example'),
        cert,
        true,
      ).acquireTokenByClientCredential({
        scopes: [REDIS_SCOPE],
      });
      expect(decodeJwt(result!.accessToken)).toMatchObject({ appidacr: '2', aud: 'https://redis.azure.com' });
    });

    it('accepts a renewed certificate (new key, same subject) without registering it', async () => {
      const renewed = await issuer.issue({ commonName: 'renewed.authx.example' });
      const client = clientFor(trusting('cn=renewed.authx.example'), renewed, true);
      await expect(client.acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })).resolves.toBeTruthy();
    });

    it('refuses it without x5c (the thumbprint alone names no registered key)', async () => {
      const cert = await issuer.issue({ commonName: 'no-x5c.authx.example' });
      const error = await failure(clientFor(trusting('CN=no-x5c.authx.example'), cert, false));
      expect(error.message).toContain('[Reason - The key was not found.');
    });

    it('refuses another subject', async () => {
      const cert = await issuer.issue({ commonName: 'intruder.authx.example' });
      const error = await failure(clientFor(trusting('CN=sni-app.authx.example'), cert, true));
      expect(error.message).toContain(
        "The certificate subject 'CN=intruder.authx.example' is not a trusted subject",
      );
    });

    it('refuses the trusted subject issued by another CA', async () => {
      const otherCa = await createClientCertificateIssuer({ commonName: 'another CA' });
      const cert = await otherCa.issue({ commonName: 'sni-app.authx.example' });
      const error = await failure(clientFor(trusting('CN=sni-app.authx.example'), cert, true));
      expect(error.message).toContain('does not lead to the trusted issuer');
    });

    it('refuses a self-signed certificate with the trusted subject', async () => {
      const selfSigned = await createClientCertificate({ commonName: 'sni-app.authx.example' });
      const error = await failure(clientFor(trusting('CN=sni-app.authx.example'), selfSigned, true));
      expect(error.message).toContain('does not lead to the trusted issuer');
    });

    it('refuses an expired certificate of the trusted subject', async () => {
      const expired = await issuer.issue({
        commonName: 'old.authx.example',
        notBefore: new Date(Date.now() - 30 * DAY_MS),
        notAfter: new Date(Date.now() - DAY_MS),
      });
      const error = await failure(clientFor(trusting('CN=old.authx.example'), expired, true));
      expect(error.message).toContain('[Reason - The key used is expired.');
    });
  });

  it('rejects a trusted subject whose issuer is not a certificate, naming the option', async () => {
    expect(() =>
      emulator.addApp({
        clientId: 'bad-sni',
        trustedCertificateSubjects: [{ subjectName: 'CN=x', issuerCertificatePem: 'junk' }],
      }),
    ).toThrow(/app\.trustedCertificateSubjects\[0\]\.issuerCertificatePem must be a PEM CA certificate/);
  });
});
