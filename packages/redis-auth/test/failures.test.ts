import { createClient } from 'redis';
import { bindCredentials, CredentialsProviderError, type RedisAuth, type RedisAuthEvents } from '../src';
import { startTestGateway, type TestGateway } from './support/gateway';
import { JwtTokenProvider } from './support/jwt-token-provider';
import type { AnyClient } from './support/types';
import { waitFor } from './support/wait-for';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('RedisAuth › provider failures and reconnects', () => {
  let provider: JwtTokenProvider;
  let auth: RedisAuth;
  let client: AnyClient;
  let clientErrors: Error[];

  beforeEach(() => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
    client = createClient({
      url: gw.url,
      socket: { reconnectStrategy: (retries) => (retries > 2 ? false : 20) },
    });
    clientErrors = [];
    client.on('error', (error) => clientErrors.push(error));
    auth = bindCredentials(client, provider);
  });

  afterEach(() => {
    if (client.isOpen) client.destroy();
    auth.dispose();
    provider.close();
  });

  it('reports a provider error as a typed event and keeps the connection working', async () => {
    const errors: RedisAuthEvents['providerError'][] = [];
    auth.events.on('providerError', (e) => errors.push(e));
    await client.connect();
    const cause = new Error('identity provider unreachable');
    provider.failNow(cause);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.error).toBeInstanceOf(CredentialsProviderError);
    expect(errors[0]?.error.code).toBe('CREDENTIALS_PROVIDER_FAILED');
    expect(errors[0]?.error.cause).toBe(cause);
    expect(await client.ping()).toBe('PONG');
  });

  it('fails connect() with a CredentialsProviderError when the provider refuses for good', async () => {
    provider.failSubscribeWith = Object.assign(new Error('invalid_client'), { isRetryable: false });
    await expect(client.connect()).rejects.toMatchObject({ code: 'CREDENTIALS_PROVIDER_FAILED' });
  });

  it('fails connect() with CredentialsUnavailableError (cause kept) when a transient failure outlasts the handshake wait', async () => {
    const cause = new Error('identity provider unreachable');
    provider.failSubscribeWith = cause;
    const impatient = createClient({ url: gw.url, socket: { reconnectStrategy: false } });
    impatient.on('error', () => {});
    const impatientAuth = bindCredentials(impatient, provider, { credentialsTimeoutMs: 300 });
    await expect(impatient.connect()).rejects.toMatchObject({
      code: 'CREDENTIALS_UNAVAILABLE',
      cause: { code: 'CREDENTIALS_PROVIDER_FAILED', cause },
    });
    impatientAuth.dispose();
  });

  it('reconnects with the newest token and without spurious credential errors', async () => {
    await client.connect();
    await provider.rotateNow();
    await waitFor(() => auth.connections()[0]?.generation === 2, 'AUTH with the second token');
    for (let kill = 0; kill < 2; kill++) {
      await provider.rotateNow();
      const epoch = client.socketEpoch;
      gw.gateway.kill();
      await waitFor(() => client.isReady && client.socketEpoch > epoch, 'reconnected');
      expect(await client.ping()).toBe('PONG');
    }
    // Each handshake after a kill presented the newest token: every AUTH/HELLO succeeded.
    expect(gw.gateway.stats().authFailed).toBe(0);
    expect(clientErrors.every((e) => !/credential/i.test(`${e.name} ${e.message}`))).toBe(true);
    expect(auth.connections()[0]?.generation).toBe(auth.generation);
    expect(provider.subscribeCalls).toBe(1);
  });
});
