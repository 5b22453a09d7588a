import { inspect } from 'node:util';
import { EntraIdCredentialsProviderFactory as Factory, EntraIdErrorCode, REDIS_AUDIENCES } from '../../src';
import type { AccessToken, TokenCredential } from '../../src';

function jwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(claims)}.c2lnbmF0dXJl`;
}

class StaticCredential implements TokenCredential {
  calls = 0;
  constructor(readonly token: string) {}
  async getToken(): Promise<AccessToken> {
    this.calls++;
    return { token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

function subscribe(credential: TokenCredential, extra: object = {}) {
  const provider = Factory.createForDefaultAzureCredential({
    credential,
    tokenManagerConfig: { retry: { maxAttempts: 3, initialDelayMs: 10 } },
    ...extra,
  });
  return { provider, result: provider.subscribe({ onNext() {}, onError() {} }) };
}

describe('audience check', () => {
  it('knows the Redis audiences (identifier URI, with trailing slash, app id)', () => {
    expect(REDIS_AUDIENCES).toEqual([
      'https://redis.azure.com',
      'https://redis.azure.com/',
      'acca5fbb-b7e4-4009-81f1-37e38fd66d78',
    ]);
  });

  it.each(REDIS_AUDIENCES)('hands out a token for %s', async (aud) => {
    const { provider, result } = subscribe(new StaticCredential(jwt({ aud, oid: 'oid-1' })));
    const [credentials, subscription] = await result;
    expect(credentials.username).toBe('oid-1');
    subscription.dispose();
    provider.getTokenManager().dispose?.();
  });

  it('refuses a token for another resource with a permanent WRONG_AUDIENCE, without retrying', async () => {
    const token = jwt({ aud: 'https://graph.microsoft.com', oid: 'oid-1' });
    const credential = new StaticCredential(token);
    const { result } = subscribe(credential);
    const wrapped = (await result.catch((e: unknown) => e)) as { cause?: unknown };
    // token-core reports the refresh failure with the identity provider's error as its cause.
    const error = (wrapped.cause ?? wrapped) as { code?: string; isRetryable?: boolean; message: string };
    expect(inspect(wrapped)).not.toContain(token);
    expect(error.code).toBe(EntraIdErrorCode.WRONG_AUDIENCE);
    expect(error.isRetryable).toBe(false);
    expect(credential.calls).toBe(1);
    expect(error.message).toContain('https://graph.microsoft.com');
    expect(error.message).toContain('expectedAudiences');
    expect(error.message).not.toContain(token);
    expect(inspect(error)).not.toContain(token);
  });

  it('refuses a token whose aud cannot be read', async () => {
    const wrapped = (await subscribe(new StaticCredential('opaque-token'), {
      credentialsMapper: () => ({ username: 'u', password: 'opaque-token' }),
    }).result.catch((e: unknown) => e)) as {
      cause?: { code?: string };
    };
    expect(wrapped.cause?.code).toBe('WRONG_AUDIENCE');
  });

  it('accepts the audiences of expectedAudiences instead (sovereign cloud, custom resource)', async () => {
    const { result } = subscribe(new StaticCredential(jwt({ aud: ['api://my-redis'], oid: 'oid-2' })), {
      expectedAudiences: ['api://my-redis'],
    });
    const [credentials, subscription] = await result;
    expect(credentials.username).toBe('oid-2');
    subscription.dispose();
  });

  it.each([[[]], ['https://redis.azure.com'], [['']], [[42]]])(
    'refuses expectedAudiences %p at construction, naming the option',
    (value) => {
      expect(() =>
        Factory.createForClientCredentials({
          clientId: 'app',
          clientSecret: 's',
          authorityConfig: { type: 'multi-tenant', tenantId: 't' },
          expectedAudiences: value as never,
        }),
      ).toThrow(expect.objectContaining({ option: 'expectedAudiences' }));
    },
  );
});
