import {
  type CredentialsRecord,
  credentialsStatus,
  IdentityProviderError,
  INITIAL_CREDENTIALS_RECORD,
  nextCredentialsRecord,
  StreamingCredentialsProvider,
  type TokenManagerConfig,
} from '../src';
import { FakeIdentityProvider, type Outcome } from './support/fake-identity-provider';
import { advance, flush, START_MS, useFakeTime } from './support/fake-time';

const token = { expiresAtMs: 10_000, refreshAtMs: 5_000 };
const transient = { code: 'ENTRA_NETWORK_ERROR', atMs: 0, isRetryable: true };
const permanent = { code: 'ENTRA_INVALID_CLIENT', atMs: 0, isRetryable: false };
const record = (r: Partial<CredentialsRecord>): CredentialsRecord => ({
  ...INITIAL_CREDENTIALS_RECORD,
  ...r,
});

describe('credentialsStatus', () => {
  it.each([
    ['no token, loop stopped', 'idle', record({}), 0, false],
    ['no token, loop running', 'refreshing', record({}), 0, true],
    ['valid token before its refresh time', 'valid', record({ token }), 1_000, true],
    ['valid token, refresh due, loop running', 'refreshing', record({ token }), 6_000, true],
    ['valid token, refresh due, loop stopped', 'valid', record({ token }), 6_000, false],
    [
      'valid token, a transient failure',
      'retrying',
      record({ token, failedAttempts: 1, lastError: transient }),
      6_000,
      true,
    ],
    [
      'valid token, a permanent failure (recovering)',
      'retrying',
      record({ token, failedAttempts: 1, lastError: permanent }),
      6_000,
      true,
    ],
    [
      'expired token, transient failures',
      'expired',
      record({ token, failedAttempts: 4, lastError: transient }),
      11_000,
      true,
    ],
    [
      'expired token, a permanent failure',
      'failed',
      record({ token, failedAttempts: 4, lastError: permanent }),
      11_000,
      true,
    ],
    [
      'expired token, loop stopped on failure',
      'failed',
      record({ token, failedAttempts: 4, lastError: transient }),
      11_000,
      false,
    ],
    ['expired token, no failure, loop restarting', 'refreshing', record({ token }), 11_000, true],
    [
      'never a token, transient failures',
      'retrying',
      record({ failedAttempts: 2, lastError: transient }),
      0,
      true,
    ],
    [
      'never a token, a permanent failure',
      'failed',
      record({ failedAttempts: 1, lastError: permanent }),
      0,
      true,
    ],
  ] as const)('is, with %s, %s', (_name, state, r, nowMs, running) => {
    const status = credentialsStatus(r, nowMs, running);
    expect(status.state).toBe(state);
    expect(status.usable).toBe(['valid', 'refreshing', 'retrying'].includes(state));
  });
});

describe('nextCredentialsRecord', () => {
  it('counts failures with their code until a token comes, then forgets them', () => {
    let r = nextCredentialsRecord(INITIAL_CREDENTIALS_RECORD, {
      name: 'tokenAcquired',
      payload: { expiresAtMs: 10_000, receivedAtMs: 0, refreshAtMs: 5_000, attempt: 1 },
    });
    r = nextCredentialsRecord(r, {
      name: 'refreshFailed',
      atMs: 5_000,
      payload: {
        attempt: 1,
        error: new IdentityProviderError('down', { code: 'ENTRA_SERVER_UNAVAILABLE', isRetryable: true }),
        isRetryable: true,
        expiresAtMs: 10_000,
      },
    });
    r = nextCredentialsRecord(r, {
      name: 'retryScheduled',
      payload: { attempt: 2, delayMs: 100, retryAtMs: 5_100, error: undefined, expiresAtMs: 10_000 },
    });
    expect(credentialsStatus(r, 5_050, true)).toEqual({
      state: 'retrying',
      usable: true,
      expiresAtMs: 10_000,
      refreshAtMs: 5_000,
      nextAttemptAtMs: 5_100,
      failedAttempts: 1,
      lastError: { code: 'ENTRA_SERVER_UNAVAILABLE', atMs: 5_000 },
    });
    r = nextCredentialsRecord(r, {
      name: 'tokenAcquired',
      payload: { expiresAtMs: 20_000, receivedAtMs: 5_100, refreshAtMs: 12_000, attempt: 2 },
    });
    expect(credentialsStatus(r, 5_200, true)).toMatchObject({
      state: 'valid',
      failedAttempts: 0,
      lastError: undefined,
      nextAttemptAtMs: undefined,
    });
  });

  it('reads a code from MSAL-style errorCode, else the name', () => {
    const failed = (error: unknown) =>
      nextCredentialsRecord(INITIAL_CREDENTIALS_RECORD, {
        name: 'refreshFailed',
        atMs: 1,
        payload: { attempt: 1, error, isRetryable: true, expiresAtMs: undefined },
      }).lastError?.code;
    expect(failed({ errorCode: 'network_error' })).toBe('network_error');
    expect(failed(new TypeError('x'))).toBe('TypeError');
    expect(failed(undefined)).toBe('UNKNOWN');
  });
});

describe('StreamingCredentialsProvider.status()', () => {
  const config: TokenManagerConfig = {
    expirationRefreshRatio: 0.5,
    lowerRefreshBoundMs: 0,
    refreshJitterMs: 0,
    retry: {
      maxAttempts: 1,
      initialDelayMs: 100,
      maxDelayMs: 1000,
      backoffMultiplier: 2,
      jitterPercentage: 0,
    },
  };
  const down = (): Outcome<string> => ({
    error: new IdentityProviderError('Entra ID is down', {
      code: 'ENTRA_SERVER_UNAVAILABLE',
      isRetryable: true,
    }),
  });

  beforeEach(() => useFakeTime());
  afterEach(() => jest.useRealTimers());

  it('goes idle → valid → retrying → expired → valid through an outage', async () => {
    let outage = false;
    const idp = new FakeIdentityProvider<string>((call) =>
      outage ? down() : { token: `t${call}`, ttlMs: 1_000 },
    );
    const provider = new StreamingCredentialsProvider<string>({
      identityProvider: idp,
      tokenManagerConfig: config,
      credentialsMapper: (t) => ({ password: t.value }),
    });
    expect(provider.status().state).toBe('idle');
    const [, subscription] = await provider.subscribe({ onNext() {}, onError() {} });
    expect(provider.status()).toMatchObject({
      state: 'valid',
      expiresAtMs: START_MS + 1_000,
      refreshAtMs: START_MS + 500,
      failedAttempts: 0,
    });
    outage = true;
    await advance(500); // the refresh fails at once, a retry is scheduled
    expect(provider.status()).toMatchObject({
      state: 'retrying',
      usable: true,
      nextAttemptAtMs: START_MS + 600,
      lastError: { code: 'ENTRA_SERVER_UNAVAILABLE', atMs: START_MS + 500 },
    });
    await advance(600);
    expect(provider.status()).toMatchObject({
      state: 'expired',
      usable: false,
      expiresAtMs: START_MS + 1_000,
    });
    expect(provider.status().failedAttempts).toBeGreaterThanOrEqual(2);
    outage = false;
    await advance(2_000); // the next recovery step (1 s, 2 s …) succeeds
    expect(provider.status()).toMatchObject({
      state: 'valid',
      usable: true,
      failedAttempts: 0,
      lastError: undefined,
    });
    subscription.dispose();
    await flush();
    provider.dispose();
  });

  it('is failed on a permanent error with no valid token', async () => {
    const idp = new FakeIdentityProvider<string>(() => ({
      error: new IdentityProviderError('bad secret', { code: 'ENTRA_INVALID_CLIENT', isRetryable: false }),
    }));
    const provider = new StreamingCredentialsProvider<string>({
      identityProvider: idp,
      tokenManagerConfig: config,
      credentialsMapper: (t) => ({ password: t.value }),
    });
    await expect(provider.subscribe({ onNext() {}, onError() {} })).rejects.toThrow('permanent');
    expect(provider.status()).toMatchObject({
      state: 'failed',
      usable: false,
      lastError: { code: 'ENTRA_INVALID_CLIENT' },
    });
    provider.dispose();
  });
});
