import { AuthError, ConfidentialClientApplication, ServerError } from '@azure/msal-node';
import { DEFAULT_CLIENT_SECRET, type EntraEmulator, startEntraEmulator } from '../../src';

const REDIS_SCOPE = 'https://redis.azure.com/.default';

describe('Entra emulator › fault injection observed through MSAL', () => {
  let emulator: EntraEmulator;

  beforeAll(async () => {
    emulator = await startEntraEmulator();
  });
  afterAll(() => emulator.stop());
  afterEach(() => emulator.faults.clear());

  // MSAL throttles per application instance after a 429/5xx: each test uses a fresh one.
  function newClient(timeoutMs?: number) {
    const config = emulator.msalConfig({ timeoutMs });
    return new ConfidentialClientApplication({
      ...config,
      auth: { ...config.auth, clientSecret: DEFAULT_CLIENT_SECRET },
    });
  }
  const tokenRequests = () => emulator.requests.filter((r) => r.endpoint === 'token');

  it('answers 503 with Retry-After; MSAL raises ServerError and then throttles locally without a request', async () => {
    const cca = newClient();
    emulator.clearRequests();
    const fault = emulator.faults.inject({
      endpoint: 'token',
      status: 503,
      headers: { 'Retry-After': '30' },
    });
    const first = await cca
      .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ServerError);
    expect(first).toMatchObject({ status: 503, errorCode: 'temporarily_unavailable' });
    expect(fault.hits).toBe(1);
    expect(fault.remaining).toBe(0);

    const second = await cca
      .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ServerError);
    expect((second as ServerError).status).toBeUndefined();
    expect(tokenRequests()).toHaveLength(1);
  });

  it('fails three token requests and lets the fourth through', async () => {
    emulator.clearRequests();
    emulator.faults.inject({ endpoint: 'token', times: 3, status: 503 });
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const result = await newClient()
        .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE], skipCache: true })
        .then(
          () => 'ok',
          (e: ServerError) => String(e.status),
        );
      outcomes.push(result);
    }
    expect(outcomes).toEqual(['503', '503', '503', 'ok']);
    expect(tokenRequests().map((r) => r.status)).toEqual([503, 503, 503, 200]);
  });

  it('resets the connection: MSAL raises network_error', async () => {
    emulator.faults.inject({ endpoint: 'token', reset: true });
    const error = await newClient()
      .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ errorCode: 'network_error' });
    expect(tokenRequests().at(-1)).toMatchObject({ status: null, faulted: true });
  });

  it('hangs until the client gives up (network client timeout → network_error)', async () => {
    emulator.faults.inject({ endpoint: 'token', hang: true });
    const error = await newClient(300)
      .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ errorCode: 'network_error' });
  });

  it('fails OIDC discovery: MSAL raises endpoints_resolution_error', async () => {
    emulator.faults.inject({ endpoint: 'discovery', status: 500 });
    const error = await newClient()
      .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ errorCode: 'endpoints_resolution_error' });
  });

  it('delays an answer without failing it when only delayMs is given', async () => {
    emulator.faults.inject({ endpoint: 'token', delayMs: 200 });
    const startedMs = Date.now();
    const result = await newClient().acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] });
    expect(result?.accessToken).toBeTruthy();
    // A lower bound only: the answer came after the delay.
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(190);
    expect(tokenRequests().at(-1)).toMatchObject({ status: 200, faulted: true });
  });

  it('sends a verbatim HTML body: the emulator network client rejects it, MSAL reports network_error', async () => {
    emulator.faults.inject({ endpoint: 'token', status: 502, body: '<html><body>Bad Gateway</body></html>' });
    const error = await newClient()
      .acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ errorCode: 'network_error' });
  });

  it('matches faults by grant type', async () => {
    emulator.faults.inject({ endpoint: 'token', grantType: 'refresh_token', status: 500 });
    await expect(newClient().acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] })).resolves.toBeTruthy();
  });

  it('still stops promptly with a hung request open', async () => {
    const other = await startEntraEmulator();
    const fault = other.faults.inject({ endpoint: 'token', hang: true });
    const config = other.msalConfig();
    const cca = new ConfidentialClientApplication({
      ...config,
      auth: { ...config.auth, clientSecret: DEFAULT_CLIENT_SECRET },
    });
    const pending = cca.acquireTokenByClientCredential({ scopes: [REDIS_SCOPE] }).catch((e: unknown) => e);
    await until(() => fault.hits === 1);
    await other.stop();
    expect(await pending).toMatchObject({ errorCode: 'network_error' });
    await other.stop(); // idempotent
  });
});

/** Waits for a request to reach the emulator (a socket event, not a timer the test could fake). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
