import { InvalidOptionError } from '@authx/token-core';
import { GaxiosError } from 'gaxios';
import {
  type AccessTokenClient,
  createMemorystoreIamProvider,
  GcpIamErrorCode,
  MemorystoreIdentityProvider,
  toGcpIdentityProviderError,
} from '../../src';

/** A google-auth-library client that caches like the real one: a new token only inside its eager window. */
class CachingClient implements AccessTokenClient {
  fetches = 0;
  credentials: { access_token?: string; expiry_date?: number } = {};
  constructor(
    readonly lifetimeMs: number,
    readonly eagerRefreshThresholdMillis: number,
  ) {}
  async getAccessToken() {
    const expiry = this.credentials.expiry_date;
    if (
      !this.credentials.access_token ||
      expiry === undefined ||
      expiry <= Date.now() + this.eagerRefreshThresholdMillis
    ) {
      this.fetches++;
      this.credentials = {
        access_token: `ya29.token-${this.fetches}`,
        expiry_date: Date.now() + this.lifetimeMs,
      };
    }
    return { token: this.credentials.access_token };
  }
}

const sink = () => {
  const passwords: Array<string | undefined> = [];
  const usernames: Array<string | undefined> = [];
  return {
    passwords,
    usernames,
    listener: {
      onNext: (c: { username?: string; password?: string }) => {
        passwords.push(c.password);
        usernames.push(c.username);
      },
      onError: () => undefined,
    },
  };
};

describe('createMemorystoreIamProvider', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) }));
  afterEach(() => jest.useRealTimers());

  it('sends the access token as the password of the default user (no username), with the library expiry as TTL', async () => {
    const client = new CachingClient(3_600_000, 300_000);
    const provider = createMemorystoreIamProvider({ auth: { getClient: async () => client } });
    const [credentials, subscription] = await provider.subscribe(sink().listener);
    expect(credentials).toEqual({ password: 'ya29.token-1' });
    expect(provider.getCurrentToken()!.expiresAtMs).toBe(Date.now() + 3_600_000);
    subscription.dispose();
    provider.dispose();
  });

  it('asks again when the library would renew (5 min before expiry), never earlier: one library fetch per refresh, no repeats', async () => {
    const client = new CachingClient(3_600_000, 300_000);
    const provider = createMemorystoreIamProvider({ auth: { getClient: async () => client } });
    let unchanged = 0;
    provider.events.on('tokenUnchanged', () => unchanged++);
    const s = sink();
    const [, subscription] = await provider.subscribe(s.listener);
    await jest.advanceTimersByTimeAsync(54 * 60_000);
    expect(client.fetches).toBe(1);
    await jest.advanceTimersByTimeAsync(2 * 60_000);
    expect(client.fetches).toBe(2);
    await jest.advanceTimersByTimeAsync(3 * 3_600_000);
    expect(client.fetches).toBe(5);
    expect(unchanged).toBe(0);
    expect(s.passwords).toEqual(['ya29.token-2', 'ya29.token-3', 'ya29.token-4', 'ya29.token-5']);
    subscription.dispose();
    provider.dispose();
  });

  it('reports no token or an expired one as INVALID_TOKEN_RESPONSE (transient)', async () => {
    const none = new MemorystoreIdentityProvider({
      getClient: async () => ({ getAccessToken: async () => ({ token: null }) }),
    });
    await expect(none.requestToken()).rejects.toMatchObject({
      code: GcpIamErrorCode.INVALID_TOKEN_RESPONSE,
      isRetryable: true,
    });
    const stale = new MemorystoreIdentityProvider({
      getClient: async () => ({
        getAccessToken: async () => ({ token: 'ya29.x' }),
        credentials: { expiry_date: Date.now() - 1 },
      }),
    });
    await expect(stale.requestToken()).rejects.toMatchObject({
      code: GcpIamErrorCode.INVALID_TOKEN_RESPONSE,
    });
  });

  it.each([
    ['auth', { auth: { token: 'x' } }],
    ['scopes', { scopes: [] }],
    ['scopes', { scopes: ['cloud-platform'] }],
    [
      'scopes',
      {
        auth: { getClient: async () => new CachingClient(1, 0) },
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      },
    ],
  ])('names %s when it is invalid', (option, options) => {
    let error: unknown;
    try {
      createMemorystoreIamProvider(options as never);
    } catch (e) {
      error = e;
    }
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect((error as InvalidOptionError).option).toBe(option);
  });
});

describe('toGcpIdentityProviderError', () => {
  const gaxios = (status: number | undefined, data: unknown = {}, cause?: object) => {
    const error = new GaxiosError(
      'request failed',
      { url: new URL('http://metadata/x') } as never,
      status === undefined ? undefined : ({ status, data, headers: new Headers(), config: {} } as never),
    );
    if (cause) Object.assign(error, { cause });
    return error;
  };

  it.each([
    [
      'a reset socket under native fetch',
      gaxios(undefined, {}, Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } })),
      GcpIamErrorCode.METADATA_UNAVAILABLE,
      true,
    ],
    ['HTTP 503', gaxios(503), GcpIamErrorCode.METADATA_UNAVAILABLE, true],
    ['HTTP 429', gaxios(429), GcpIamErrorCode.THROTTLED, true],
    ['HTTP 403', gaxios(403), GcpIamErrorCode.CREDENTIALS_REJECTED, false],
    ['HTTP 404 (no such service account)', gaxios(404), GcpIamErrorCode.CREDENTIALS_REJECTED, false],
    ['invalid_grant', gaxios(400, { error: 'invalid_grant' }), GcpIamErrorCode.CREDENTIALS_REJECTED, false],
    [
      'no ADC',
      new Error(
        'Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.',
      ),
      GcpIamErrorCode.NO_CREDENTIALS,
      false,
    ],
    ['anything else', new Error('odd'), GcpIamErrorCode.UNKNOWN, true],
  ])('%s', (_what, error, code, isRetryable) => {
    const classified = toGcpIdentityProviderError(error);
    expect(classified).toMatchObject({ code, isRetryable });
  });

  it('keeps access tokens out of the message and the cause', () => {
    const classified = toGcpIdentityProviderError(new Error('bad token ya29.a0AfH6SMBsecretsecretsecret'));
    expect(classified.message).not.toContain('ya29.a0');
    expect(require('node:util').inspect(classified)).not.toContain('ya29.a0');
  });
});
