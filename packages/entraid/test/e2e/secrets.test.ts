import { inspect } from 'node:util';
import {
  type ClientCertificate,
  createClientCertificate,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  type EntraEmulator,
  type RedisGateway,
} from '@authx/emulator';
import {
  EntraIdCredentialsProviderFactory,
  type EntraIdLogger,
  type EntraidCredentialsProvider,
  isAuthenticationResult,
} from '../../src';
import { followAuthorizationUrl } from '../helpers/authorize';
import { emulatorMsalConfig, FAST_RETRY, startShortLivedEmulator } from '../helpers/emulator';
import { setTestEnv } from '../helpers/env';
import { runThroughRotations, startGatewayFor } from '../helpers/rotation';
import { subscribeRecording } from '../helpers/subscribe';

const CERT_CLIENT_ID = '5ec7e7a5-0000-4000-8000-000000000001';
const WRONG_SECRET = 'wrong-but-still-secret-value';
/** Text of an error page that echoes the request, as a misconfigured proxy does: must not be quoted. */
const ECHOED_PAGE_MARKER = 'echoed-request-page-marker';

// Runs every flow, with successes and failures, and proves that nothing observable — log lines at
// MSAL's most verbose level, error messages, util.inspect / JSON / String of providers and errors —
// contains a client secret, a private key, the identity header or any token that was issued.
describe('secrets stay out of logs, messages and inspection', () => {
  let emulator: EntraEmulator;
  let gateway: RedisGateway;
  let cert: ClientCertificate;
  let restoreEnv: () => void;
  const observed: string[] = [];
  /** Secret material created during the run (keys, codes, verifiers). */
  const secrets: string[] = [];
  const tokens = new Set<string>();
  const logger: EntraIdLogger = {
    error: (m) => observed.push(m),
    warn: (m) => observed.push(m),
    info: (m) => observed.push(m),
    debug: (m) => observed.push(m),
  };
  const common = { logger, logLevel: 'verbose' as const, onRetryableError: (e: Error) => observe(e) };

  function observe(value: unknown): void {
    observed.push(inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: false }));
    if (value instanceof Error) observed.push(value.message, String(value));
    if (typeof value === 'object' && value !== null) observed.push(JSON.stringify(value) ?? '');
  }

  function watchTokens(provider: EntraidCredentialsProvider): EntraidCredentialsProvider {
    provider.events.on('tokenAcquired', () => {
      const value = provider.getCurrentToken()?.value;
      if (value) tokens.add(isAuthenticationResult(value) ? value.accessToken : value.token);
      observe(provider);
      observe(provider.tokenManager);
      observe(provider.getCurrentToken());
    });
    provider.events.on('refreshFailed', ({ error }) => observe(error));
    return provider;
  }

  beforeAll(async () => {
    emulator = await startShortLivedEmulator();
    cert = await createClientCertificate();
    emulator.addApp({ clientId: CERT_CLIENT_ID, certificates: [cert.certPem] });
    restoreEnv = setTestEnv(emulator.managedIdentityEnv('app-service'));
    gateway = await startGatewayFor(emulator);
  });

  afterAll(async () => {
    restoreEnv?.();
    await gateway?.stop();
    await emulator?.stop();
  });

  const authority = () => ({ type: 'custom' as const, authorityUrl: emulator.authority() });

  it('client secret: rotation, 503s, a 429 and a wrong secret', async () => {
    emulator.faults.inject({ endpoint: 'token', status: 503, times: 2 });
    emulator.faults.inject({ endpoint: 'token', status: 429, headers: { 'Retry-After': '0' } });
    const provider = watchTokens(
      EntraIdCredentialsProviderFactory.createForClientCredentials({
        ...common,
        clientId: DEFAULT_CLIENT_ID,
        clientSecret: DEFAULT_CLIENT_SECRET,
        authorityConfig: authority(),
        msalConfig: emulatorMsalConfig(emulator),
        tokenManagerConfig: { expirationRefreshRatio: 0.5, retry: FAST_RETRY },
      }),
    );
    observe(provider);
    expect(await runThroughRotations(provider, gateway, { RESP: 3, rotations: 2 })).toMatchObject({
      commandsFailed: 0,
    });
    const wrong = EntraIdCredentialsProviderFactory.createForClientCredentials({
      ...common,
      clientId: DEFAULT_CLIENT_ID,
      clientSecret: WRONG_SECRET,
      authorityConfig: authority(),
      msalConfig: emulatorMsalConfig(emulator),
    });
    observe(await subscribeRecording(wrong).catch((e: unknown) => e));
    observe(wrong);
    wrong.dispose();
  });

  it('client secret through the production network client: an HTML page echoing the request, a hang', async () => {
    emulator.faults.inject({
      endpoint: 'token',
      status: 502,
      headers: { 'Content-Type': 'text/html' },
      body: `<html><body>${ECHOED_PAGE_MARKER} client_secret=${DEFAULT_CLIENT_SECRET}</body></html>`,
    });
    emulator.faults.inject({ endpoint: 'token', hang: true });
    const provider = watchTokens(
      EntraIdCredentialsProviderFactory.createForClientCredentials({
        ...common,
        clientId: DEFAULT_CLIENT_ID,
        clientSecret: DEFAULT_CLIENT_SECRET,
        authorityConfig: authority(),
        msalConfig: emulatorMsalConfig(emulator),
        tokenManagerConfig: { retry: FAST_RETRY, requestTimeoutMs: 500 },
      }),
    );
    const failures: unknown[] = [];
    provider.events.on('refreshFailed', ({ error }) => failures.push(error));
    const { subscription } = await subscribeRecording(provider);
    observe(provider);
    subscription.dispose();
    provider.dispose();
    expect(failures).toEqual([
      expect.objectContaining({ code: 'ENTRA_SERVER_UNAVAILABLE', status: 502 }),
      expect.objectContaining({ code: 'REQUEST_TIMEOUT' }),
    ]);
  });

  it('certificate: rotation and a key that does not match', async () => {
    const provider = watchTokens(
      EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate({
        ...common,
        clientId: CERT_CLIENT_ID,
        certificate: { certificate: cert.certPem, privateKey: cert.keyPem, sendCertificateChain: true },
        authorityConfig: authority(),
        msalConfig: emulatorMsalConfig(emulator),
        tokenManagerConfig: { expirationRefreshRatio: 0.5 },
      }),
    );
    observe(provider);
    expect(await runThroughRotations(provider, gateway, { RESP: 2, rotations: 2 })).toMatchObject({
      commandsFailed: 0,
    });
    const other = await createClientCertificate();
    try {
      EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate({
        clientId: CERT_CLIENT_ID,
        certificate: { certificate: cert.certPem, privateKey: other.keyPem },
        authorityConfig: authority(),
      });
    } catch (error) {
      observe(error);
    }
    // Registered certificate, but the app does not know this one: invalid_client from the server.
    const unknown = EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate({
      ...common,
      clientId: CERT_CLIENT_ID,
      certificate: { certificate: other.certPem, privateKey: other.keyPem },
      authorityConfig: authority(),
      msalConfig: emulatorMsalConfig(emulator),
    });
    observe(await subscribeRecording(unknown).catch((e: unknown) => e));
    unknown.dispose();
    secrets.push(other.keyPem);
  });

  it('authorization code + PKCE: sign-in, silent refresh, revoked refresh token', async () => {
    const flow = EntraIdCredentialsProviderFactory.createForAuthorizationCodeWithPKCE({
      ...common,
      clientId: DEFAULT_CLIENT_ID,
      redirectUri: 'http://localhost:3000/redirect',
      authorityConfig: authority(),
      msalConfig: emulatorMsalConfig(emulator),
      tokenManagerConfig: { expirationRefreshRatio: 0.5 },
    });
    const codes = await flow.getPKCECodes();
    const redirect = await followAuthorizationUrl(await flow.getAuthCodeUrl(codes), emulator.caPem);
    const code = redirect.get('code') ?? '';
    secrets.push(code, codes.verifier);
    const provider = watchTokens(
      flow.createCredentialsProvider({
        code,
        verifier: codes.verifier,
        state: redirect.get('state') ?? undefined,
      }),
    );
    expect(await runThroughRotations(provider, gateway, { RESP: 3, rotations: 2 })).toMatchObject({
      commandsFailed: 0,
    });
    const again = watchTokens(flow.createCredentialsProvider({ code, verifier: codes.verifier }));
    observe(await subscribeRecording(again).catch((e: unknown) => e));
    again.dispose();
  });

  it('managed identity: rotation and an endpoint failure', async () => {
    emulator.faults.inject({ endpoint: 'mi', status: 500 });
    const provider = watchTokens(
      EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity({
        ...common,
        tokenManagerConfig: { expirationRefreshRatio: 0.5, retry: FAST_RETRY },
      }),
    );
    expect(await runThroughRotations(provider, gateway, { RESP: 2, rotations: 2 })).toMatchObject({
      commandsFailed: 0,
    });
  });

  it('none of the observed text contains a secret or a token', () => {
    const keyLines = (pem: string) =>
      pem.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));
    const needles = [
      ECHOED_PAGE_MARKER,
      DEFAULT_CLIENT_SECRET,
      WRONG_SECRET,
      emulator.identityHeader,
      ...keyLines(cert.keyPem),
      ...secrets.flatMap((s) => (s.includes('PRIVATE KEY') ? keyLines(s) : [s])),
      ...[...tokens].flatMap((t) => [t, t.split('.')[2]]),
    ];
    expect(tokens.size).toBeGreaterThanOrEqual(8);
    expect(observed.length).toBeGreaterThan(100);
    const text = observed.join('\n');
    const leaks = needles.filter((needle) => needle && text.includes(needle));
    expect(leaks).toEqual([]);
    // The log did carry MSAL's lines and our errors, so the check looked at real output.
    expect(text).toContain('[msal]');
    expect(text).toContain('ENTRA_INVALID_CLIENT');
  });
});
