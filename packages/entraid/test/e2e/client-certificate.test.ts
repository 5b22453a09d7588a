import {
  type ClientCertificate,
  createClientCertificate,
  type EntraEmulator,
  type RedisGateway,
} from '@authx/emulator';
import type { INetworkModule, NetworkRequestOptions } from '@azure/msal-node';
import { EntraIdCredentialsProviderFactory } from '../../src';
import { emulatorNetworkClient, startShortLivedEmulator } from '../helpers/emulator';
import { RENEWED_IN_TIME, runThroughRotations, startGatewayFor } from '../helpers/rotation';
import { subscribeRecording } from '../helpers/subscribe';

const CLIENT_ID = 'c3c3c3c3-0000-4000-8000-000000000001';

/** Records the client assertions MSAL posts (then sends them with `inner`), to check how it signed them. */
function recordingClient(inner: INetworkModule, assertions: string[]): INetworkModule {
  return {
    sendGetRequestAsync: (url, options, timeout) => inner.sendGetRequestAsync(url, options, timeout),
    sendPostRequestAsync: (url: string, options?: NetworkRequestOptions) => {
      const assertion = new URLSearchParams(options?.body ?? '').get('client_assertion');
      if (assertion) assertions.push(assertion);
      return inner.sendPostRequestAsync(url, options);
    },
  };
}

function headerOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('createForClientCredentialsWithCertificate end to end', () => {
  let emulator: EntraEmulator;
  let gateway: RedisGateway;
  let cert: ClientCertificate;

  beforeAll(async () => {
    emulator = await startShortLivedEmulator();
    cert = await createClientCertificate();
    emulator.addApp({ clientId: CLIENT_ID, certificates: [cert.certPem] });
    gateway = await startGatewayFor(emulator);
  });

  afterAll(async () => {
    await gateway?.stop();
    await emulator?.stop();
  });

  it.each([2, 3] as const)(
    'rotates tokens on RESP%i with a PEM certificate whose thumbprint is computed (PS256, x5t#S256)',
    async (RESP) => {
      const assertions: string[] = [];
      const provider = EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate({
        clientId: CLIENT_ID,
        certificate: { certificate: cert.certPem, privateKey: cert.keyPem },
        authorityConfig: { type: 'custom', authorityUrl: emulator.authority() },
        msalConfig: {
          system: { networkClient: recordingClient(emulatorNetworkClient(emulator), assertions) },
        },
        tokenManagerConfig: { expirationRefreshRatio: 0.5 },
      });
      const outcome = await runThroughRotations(provider, gateway, { RESP });
      expect(outcome).toMatchObject({
        ...RENEWED_IN_TIME,
        commandsFailed: 0,
        evictions: 0,
        clientErrors: [],
      });
      expect(outcome.tokensAcquired).toBeGreaterThanOrEqual(4);
      expect(headerOf(assertions[0])).toMatchObject({
        alg: 'PS256',
        'x5t#S256': Buffer.from(cert.thumbprintSha256, 'hex').toString('base64url'),
      });
      expect(headerOf(assertions[0]).x5c).toBeUndefined();
    },
  );

  it('works with the @redis/entraid shape (SHA-1 thumbprint + key) and sends x5c when asked', async () => {
    const assertions: string[] = [];
    const provider = EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate({
      clientId: CLIENT_ID,
      certificate: { thumbprint: cert.thumbprintSha1, privateKey: cert.keyPem, x5c: cert.certPem },
      authorityConfig: { type: 'custom', authorityUrl: emulator.authority() },
      msalConfig: { system: { networkClient: recordingClient(emulatorNetworkClient(emulator), assertions) } },
      tokenManagerConfig: { expirationRefreshRatio: 0.5 },
    });
    const outcome = await runThroughRotations(provider, gateway, { RESP: 3, rotations: 1 });
    expect(outcome).toMatchObject({ ...RENEWED_IN_TIME, commandsFailed: 0, evictions: 0 });
    const header = headerOf(assertions[0]);
    expect(header).toMatchObject({
      alg: 'RS256',
      x5t: Buffer.from(cert.thumbprintSha1, 'hex').toString('base64url'),
    });
    expect(header.x5c).toEqual([cert.certPem.replace(/-----[A-Z ]+-----|\s/g, '')]);
  });

  it('signs with SHA-1 (RS256, x5t) when the SHA-1 thumbprint is given with the certificate PEM', async () => {
    const assertions: string[] = [];
    const provider = EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate({
      clientId: CLIENT_ID,
      certificate: { certificate: cert.certPem, privateKey: cert.keyPem, thumbprint: cert.thumbprintSha1 },
      authorityConfig: { type: 'custom', authorityUrl: emulator.authority() },
      msalConfig: { system: { networkClient: recordingClient(emulatorNetworkClient(emulator), assertions) } },
    });
    const { first, subscription } = await subscribeRecording(provider);
    subscription.dispose();
    provider.dispose();
    expect(first.password).toEqual(expect.any(String));
    const header = headerOf(assertions[0]);
    expect(header).toMatchObject({
      alg: 'RS256',
      x5t: Buffer.from(cert.thumbprintSha1, 'hex').toString('base64url'),
    });
    expect(header['x5t#S256']).toBeUndefined();
  });
});
