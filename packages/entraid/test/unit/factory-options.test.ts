import { InvalidOptionError, StreamingCredentialsProvider } from '@authx/token-core';
import { EntraIdCredentialsProviderFactory as Factory } from '../../src';

const tenant = { type: 'multi-tenant' as const, tenantId: '11111111-2222-3333-4444-555555555555' };

function optionOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    return (error as InvalidOptionError).option;
  }
  throw new Error('expected an InvalidOptionError');
}

describe('EntraIdCredentialsProviderFactory options', () => {
  it('creates providers node-redis accepts without touching the network', () => {
    const provider = Factory.createForClientCredentials({
      clientId: 'app',
      clientSecret: 'secret-value',
      authorityConfig: tenant,
      tokenManagerConfig: {},
    });
    expect(provider).toBeInstanceOf(StreamingCredentialsProvider);
    expect(provider.type).toBe('streaming-credentials-provider');
    expect(provider.getCurrentCredentials()).toBeNull();
    expect(provider.hasActiveSubscriptions()).toBe(false);
  });

  describe('createForClientCredentials', () => {
    it.each([
      ['clientId', { clientSecret: 's', authorityConfig: tenant }],
      ['clientSecret', { clientId: 'app', authorityConfig: tenant }],
      ['clientSecret', { clientId: 'app', clientSecret: '', authorityConfig: tenant }],
      ['authorityConfig', { clientId: 'app', clientSecret: 's' }],
      [
        'authorityConfig.tenantId',
        { clientId: 'app', clientSecret: 's', authorityConfig: { type: 'multi-tenant', tenantId: 'common' } },
      ],
      ['scopes', { clientId: 'app', clientSecret: 's', authorityConfig: tenant, scopes: [] }],
      ['logLevel', { clientId: 'app', clientSecret: 's', authorityConfig: tenant, logLevel: 'trace' }],
      [
        'credentialsMapper',
        { clientId: 'app', clientSecret: 's', authorityConfig: tenant, credentialsMapper: 'oid' },
      ],
      ['msalConfig', { clientId: 'app', clientSecret: 's', authorityConfig: tenant, msalConfig: 'x' }],
      [
        'expirationRefreshRatio',
        {
          clientId: 'app',
          clientSecret: 's',
          authorityConfig: tenant,
          tokenManagerConfig: { expirationRefreshRatio: 2 },
        },
      ],
    ])('names %s when it is invalid', (option, params) => {
      expect(optionOf(() => Factory.createForClientCredentials(params as never))).toBe(option);
    });

    it('lists the accepted log levels', () => {
      expect(() =>
        Factory.createForClientCredentials({
          clientId: 'a',
          clientSecret: 's',
          authorityConfig: tenant,
          logLevel: 'trace' as never,
        }),
      ).toThrow(/'error', 'warning', 'info', 'verbose'/);
    });

    it('never puts the secret into the error message', () => {
      const error = (() => {
        try {
          Factory.createForClientCredentials({
            clientId: 'a',
            clientSecret: 'Sup3rS3cret!',
            authorityConfig: { type: 'multi-tenant', tenantId: 'Sup3rS3cret!' },
          });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error?.message).not.toContain('Sup3rS3cret!');
    });
  });

  describe('managed identity', () => {
    it('accepts the @redis/entraid shape (clientId is ignored)', () => {
      expect(
        Factory.createForSystemAssignedManagedIdentity({
          clientId: 'ignored',
          tokenManagerConfig: { expirationRefreshRatio: 0.8 },
        }).type,
      ).toBe('streaming-credentials-provider');
    });

    it.each([[{}], [{ userAssignedClientId: 'a', userAssignedObjectId: 'b' }]])(
      'requires exactly one user-assigned identifier (%p)',
      (ids) => {
        expect(() =>
          Factory.createForUserAssignedManagedIdentity({ tokenManagerConfig: {}, ...ids } as never),
        ).toThrow(/exactly one of userAssignedClientId/);
      },
    );

    it.each(['userAssignedClientId', 'userAssignedObjectId', 'userAssignedResourceId'])(
      'accepts %s',
      (key) => {
        expect(Factory.createForUserAssignedManagedIdentity({ [key]: 'id-1' }).type).toBe(
          'streaming-credentials-provider',
        );
      },
    );

    it('keeps the seed’s combined createManagedIdentityProvider(params, userAssignedClientId?)', () => {
      expect(
        Factory.createManagedIdentityProvider({ clientId: 'x', tokenManagerConfig: {} }, 'client-id').type,
      ).toBe('streaming-credentials-provider');
      expect(optionOf(() => Factory.createManagedIdentityProvider({ tokenManagerConfig: {} }, ''))).toBe(
        'userAssignedClientId',
      );
    });

    it('requires at least one scope (the first is the resource)', () => {
      expect(optionOf(() => Factory.createForSystemAssignedManagedIdentity({ scopes: [] }))).toBe('scopes');
    });
  });

  describe('createForDefaultAzureCredential', () => {
    it('requires a TokenCredential', () => {
      expect(optionOf(() => Factory.createForDefaultAzureCredential({ credential: {} as never }))).toBe(
        'credential',
      );
    });
  });

  describe('createForAuthorizationCodeWithPKCE', () => {
    it('requires redirectUri', () => {
      expect(optionOf(() => Factory.createForAuthorizationCodeWithPKCE({ clientId: 'app' } as never))).toBe(
        'redirectUri',
      );
    });

    it('builds an authorization URL with the PKCE challenge and the state, and refuses an unknown state', async () => {
      const flow = Factory.createForAuthorizationCodeWithPKCE({
        clientId: 'app',
        redirectUri: 'http://localhost:3000/cb',
        authorityConfig: tenant,
      });
      const codes = await flow.getPKCECodes();
      expect(codes.challengeMethod).toBe('S256');
      const url = new URL(await flow.getAuthCodeUrl({ ...codes, state: 'state-1' }));
      expect(url.origin + url.pathname).toBe(
        `https://login.microsoftonline.com/${tenant.tenantId}/oauth2/v2.0/authorize`,
      );
      expect(url.searchParams.get('code_challenge')).toBe(codes.challenge);
      expect(url.searchParams.get('scope')?.split(' ')).toEqual(
        expect.arrayContaining(['https://redis.azure.com/.default', 'offline_access']),
      );
      expect(url.searchParams.get('state')).toContain('state-1');
      expect(
        optionOf(() =>
          flow.createCredentialsProvider({ code: 'c', verifier: codes.verifier, state: 'forged' }),
        ),
      ).toBe('state');
      expect(
        flow.createCredentialsProvider({ code: 'c', verifier: codes.verifier, state: 'state-1' }).type,
      ).toBe('streaming-credentials-provider');
      // A state is accepted once.
      expect(
        optionOf(() =>
          flow.createCredentialsProvider({ code: 'c', verifier: codes.verifier, state: 'state-1' }),
        ),
      ).toBe('state');
    });
  });
});
