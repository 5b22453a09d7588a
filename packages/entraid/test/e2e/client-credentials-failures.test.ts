import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, type EntraEmulator } from '@authx/emulator';
import { RefreshFailedError, RequestTimeoutError } from '@authx/token-core';
import { ServerError } from '@azure/msal-node';
import {
  EntraIdCredentialsProviderFactory,
  EntraIdErrorCode,
  type EntraidCredentialsProvider,
} from '../../src';
import { emulatorMsalConfig, FAST_RETRY, startShortLivedEmulator, tokenRequests } from '../helpers/emulator';
import { subscribeRecording, waitFor } from '../helpers/subscribe';

// Every request goes through the production FetchNetworkClient (see emulatorMsalConfig).
describe('client credentials against the emulator: failures', () => {
  let emulator: EntraEmulator;
  const providers: EntraidCredentialsProvider[] = [];

  beforeAll(async () => {
    emulator = await startShortLivedEmulator({ tokenLifetimeSec: 3600 });
  });

  afterEach(() => {
    for (const provider of providers.splice(0)) provider.dispose();
    emulator.faults.clear();
    emulator.clearRequests();
  });

  afterAll(() => emulator.stop());

  function create(
    clientSecret = DEFAULT_CLIENT_SECRET,
    requestTimeoutMs = 30_000,
  ): EntraidCredentialsProvider {
    const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
      clientId: DEFAULT_CLIENT_ID,
      clientSecret,
      authorityConfig: { type: 'custom', authorityUrl: emulator.authority() },
      msalConfig: emulatorMsalConfig(emulator),
      tokenManagerConfig: { retry: FAST_RETRY, requestTimeoutMs },
    });
    providers.push(provider);
    return provider;
  }

  it('fails once with a typed non-retryable error for a wrong secret, after exactly one token request', async () => {
    const provider = create('wrong-secret-value');
    const error = await subscribeRecording(provider).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect(error).toMatchObject({ reason: 'permanent-error', attempts: 1 });
    expect((error as RefreshFailedError).lastError).toMatchObject({
      code: EntraIdErrorCode.INVALID_CLIENT,
      isRetryable: false,
      status: 401,
    });
    expect(tokenRequests(emulator)).toHaveLength(1);
  });

  it('hands a user’s retry.isRetryable the MSAL error itself, as @redis/entraid does', async () => {
    const seen: unknown[] = [];
    const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
      clientId: DEFAULT_CLIENT_ID,
      clientSecret: 'wrong-secret-value',
      authorityConfig: { type: 'custom', authorityUrl: emulator.authority() },
      msalConfig: emulatorMsalConfig(emulator),
      tokenManagerConfig: {
        retry: {
          ...FAST_RETRY,
          isRetryable: (error) => {
            seen.push(error);
            return false;
          },
        },
      },
    });
    providers.push(provider);
    await subscribeRecording(provider).catch(() => undefined);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(ServerError);
    expect(seen[0]).toMatchObject({ errorCode: 'invalid_client', status: 401 });
  });

  it('recovers after three 503s with exactly four token requests and the configured backoff', async () => {
    emulator.faults.inject({ endpoint: 'token', status: 503, times: 3 });
    const provider = create();
    const delaysMs: number[] = [];
    provider.events.on('retryScheduled', ({ delayMs }) => delaysMs.push(delayMs));
    const { first } = await subscribeRecording(provider);
    expect(first.password).toEqual(expect.any(String));
    expect(tokenRequests(emulator).map((r) => r.status)).toEqual([503, 503, 503, 200]);
    expect(delaysMs).toEqual([50, 100, 200]);
  });

  it('honours Retry-After on a 429 as the minimum wait', async () => {
    emulator.faults.inject({ endpoint: 'token', status: 429, headers: { 'Retry-After': '1' } });
    const provider = create();
    const delaysMs: number[] = [];
    provider.events.on('retryScheduled', ({ delayMs }) => delaysMs.push(delayMs));
    const failures: unknown[] = [];
    provider.events.on('refreshFailed', ({ error }) => failures.push(error));
    await subscribeRecording(provider);
    expect(failures).toEqual([
      expect.objectContaining({ code: EntraIdErrorCode.THROTTLED, retryAfterMs: 1000, status: 429 }),
    ]);
    expect(delaysMs).toEqual([1000]);
    expect(tokenRequests(emulator).map((r) => r.status)).toEqual([429, 200]);
  });

  it('times out a hanging token endpoint, closes the hung request, then recovers', async () => {
    const hang = emulator.faults.inject({ endpoint: 'token', hang: true });
    const provider = create(DEFAULT_CLIENT_SECRET, 500);
    const failures: unknown[] = [];
    provider.events.on('refreshFailed', ({ error }) => failures.push(error));
    const { first } = await subscribeRecording(provider);
    expect(first.username).toEqual(expect.any(String));
    expect(failures).toEqual([expect.any(RequestTimeoutError)]);
    expect(hang.hits).toBe(1);
    // The emulator logs a hung request when its connection closes: the production client aborted it
    // (status null: closed without an answer) rather than leaving it open behind the timeout.
    await waitFor(() => tokenRequests(emulator).length === 2, 5000, 'the hung request to be closed');
    expect(tokenRequests(emulator).map((r) => r.status)).toEqual(expect.arrayContaining([null, 200]));
  });

  it("never lets MSAL's throttle cache answer for Entra: a timed-out request's late 503 does not block the next attempts", async () => {
    // The first request times out (300 ms) and its 503 arrives late (700 ms). With a network client
    // that does not abort (the emulator's own, or a user's), MSAL records that 503 in the app's
    // throttle cache and would refuse every request locally for 60 s; a fresh app per failed
    // attempt keeps the requests going to Entra.
    emulator.faults.inject({ endpoint: 'token', status: 503, delayMs: 700 });
    const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
      clientId: DEFAULT_CLIENT_ID,
      clientSecret: DEFAULT_CLIENT_SECRET,
      authorityConfig: { type: 'custom', authorityUrl: emulator.authority() },
      msalConfig: { system: emulator.msalConfig().system },
      tokenManagerConfig: {
        requestTimeoutMs: 300,
        retry: { ...FAST_RETRY, initialDelayMs: 900, maxDelayMs: 900 },
      },
    });
    providers.push(provider);
    const failures: unknown[] = [];
    provider.events.on('refreshFailed', ({ error }) => failures.push(error));
    const startMs = Date.now();
    const { first } = await subscribeRecording(provider);
    expect(first.username).toEqual(expect.any(String));
    expect(failures).toEqual([expect.any(RequestTimeoutError)]);
    expect(Date.now() - startMs).toBeLessThan(5000);
    expect(tokenRequests(emulator).map((r) => r.status)).toEqual([503, 200]);
  });

  it('retries an HTML 503 error page as transient, with its status and Retry-After', async () => {
    emulator.faults.inject({
      endpoint: 'token',
      status: 503,
      body: '<!DOCTYPE html><html><body><h1>Service Unavailable</h1></body></html>',
      headers: { 'Content-Type': 'text/html', 'Retry-After': '1' },
    });
    const provider = create();
    const failures: unknown[] = [];
    const delaysMs: number[] = [];
    provider.events.on('refreshFailed', ({ error }) => failures.push(error));
    provider.events.on('retryScheduled', ({ delayMs }) => delaysMs.push(delayMs));
    const { first } = await subscribeRecording(provider);
    expect(first.password).toEqual(expect.any(String));
    expect(failures).toEqual([
      expect.objectContaining({
        code: EntraIdErrorCode.SERVER_UNAVAILABLE,
        isRetryable: true,
        status: 503,
        retryAfterMs: 1000,
      }),
    ]);
    expect((failures[0] as Error).cause).toMatchObject({ errorCode: 'token_parsing_error' });
    expect(delaysMs).toEqual([1000]);
    expect(tokenRequests(emulator).map((r) => r.status)).toEqual([503, 200]);
  });

  it('treats an unreachable authority as transient and gives up only after the retries', async () => {
    const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
      clientId: DEFAULT_CLIENT_ID,
      clientSecret: DEFAULT_CLIENT_SECRET,
      // Port 1 on loopback: connection refused.
      authorityConfig: { type: 'custom', authorityUrl: 'https://127.0.0.1:1/tenant' },
      msalConfig: emulatorMsalConfig(emulator),
      tokenManagerConfig: { retry: { ...FAST_RETRY, maxAttempts: 1 } },
    });
    providers.push(provider);
    const error = await subscribeRecording(provider).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'retries-exhausted', attempts: 2 });
    expect((error as RefreshFailedError).lastError).toMatchObject({
      code: EntraIdErrorCode.DISCOVERY_FAILED,
      isRetryable: true,
    });
  });
});
