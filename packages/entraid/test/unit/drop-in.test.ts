import { IdentityProviderError, InvalidOptionError } from '@authx/token-core';
import { CredentialUnavailableError } from '@azure/identity';
import { type AuthenticationResult, ServerError } from '@azure/msal-node';
import * as seed from '@redis/entraid';
import * as authx from '../../src';
import { EntraIdErrorCode } from '../../src';
import { managedIdentityResource } from '../../src/flows/managed-identity';
import type { AccessToken, TokenCredential } from '../../src/token-credential';

const TENANT = '11111111-2222-3333-4444-555555555555';

function staticMethods(cls: object): string[] {
  return Object.getOwnPropertyNames(cls).filter(
    (name) => typeof (cls as Record<string, unknown>)[name] === 'function',
  );
}

function instanceMethods(cls: { prototype: object }): string[] {
  return Object.getOwnPropertyNames(cls.prototype).filter((name) => name !== 'constructor');
}

/** A TokenCredential that fails every call with `error`. */
class FailingCredential implements TokenCredential {
  constructor(readonly error: Error) {}
  async getToken(): Promise<AccessToken | null> {
    throw this.error;
  }
}

describe('drop-in for @redis/entraid 6.1', () => {
  describe('exports', () => {
    it('exports every name @redis/entraid exports', () => {
      expect(Object.keys(authx)).toEqual(expect.arrayContaining(Object.keys(seed)));
    });

    it('has every static method of the seed factory, getAuthority included', () => {
      expect(staticMethods(authx.EntraIdCredentialsProviderFactory)).toEqual(
        expect.arrayContaining(staticMethods(seed.EntraIdCredentialsProviderFactory)),
      );
    });

    it('gives AuthCodeFlowHelper the seed’s static and instance methods', () => {
      expect(staticMethods(authx.AuthCodeFlowHelper)).toEqual(
        expect.arrayContaining(staticMethods(seed.AuthCodeFlowHelper)),
      );
      expect(instanceMethods(authx.AuthCodeFlowHelper)).toEqual(
        expect.arrayContaining(instanceMethods(seed.AuthCodeFlowHelper)),
      );
      expect(instanceMethods(authx.MSALIdentityProvider)).toEqual(
        expect.arrayContaining(instanceMethods(seed.MSALIdentityProvider)),
      );
    });
  });

  describe('EntraIdCredentialsProviderFactory.getAuthority', () => {
    let savedHost: string | undefined;
    beforeEach(() => {
      savedHost = process.env.AZURE_AUTHORITY_HOST;
      delete process.env.AZURE_AUTHORITY_HOST;
    });
    afterEach(() => {
      if (savedHost === undefined) delete process.env.AZURE_AUTHORITY_HOST;
      else process.env.AZURE_AUTHORITY_HOST = savedHost;
    });

    it.each([
      { type: 'multi-tenant', tenantId: TENANT },
      { type: 'default' },
      { type: 'custom', authorityUrl: `https://login.microsoftonline.com/${TENANT}` },
    ] as const)('returns what the seed returns for %o', (config) => {
      expect(authx.EntraIdCredentialsProviderFactory.getAuthority(config)).toBe(
        seed.EntraIdCredentialsProviderFactory.getAuthority(config),
      );
    });

    it('honours AZURE_AUTHORITY_HOST like every flow (the seed does not)', () => {
      process.env.AZURE_AUTHORITY_HOST = 'https://login.microsoftonline.us';
      expect(
        authx.EntraIdCredentialsProviderFactory.getAuthority({ type: 'multi-tenant', tenantId: TENANT }),
      ).toBe(`https://login.microsoftonline.us/${TENANT}`);
    });

    it('throws InvalidOptionError for an invalid config, as the seed throws an Error', () => {
      const invalid = { type: 'other' } as never;
      expect(() => seed.EntraIdCredentialsProviderFactory.getAuthority(invalid)).toThrow(Error);
      expect(() => authx.EntraIdCredentialsProviderFactory.getAuthority(invalid)).toThrow(InvalidOptionError);
    });
  });

  describe('AuthCodeFlowHelper', () => {
    const params = {
      clientId: 'app',
      redirectUri: 'http://localhost:3000/cb',
      scopes: ['https://redis.azure.com/.default'],
      authorityConfig: { type: 'multi-tenant' as const, tenantId: TENANT },
    };

    it('builds the same authorization URL as the seed’s helper', async () => {
      const codes = await authx.AuthCodeFlowHelper.generatePKCE();
      expect(codes).toEqual({
        verifier: expect.any(String),
        challenge: expect.any(String),
        challengeMethod: 'S256',
      });
      const ours = new URL(await authx.AuthCodeFlowHelper.create(params).getAuthCodeUrl(codes));
      const theirs = new URL(await seed.AuthCodeFlowHelper.create(params).getAuthCodeUrl(codes));
      expect(ours.origin + ours.pathname).toBe(theirs.origin + theirs.pathname);
      for (const name of ['client_id', 'redirect_uri', 'scope', 'code_challenge', 'code_challenge_method']) {
        expect([name, ours.searchParams.get(name)]).toEqual([name, theirs.searchParams.get(name)]);
      }
    });

    it('exposes client, scopes and redirectUri', () => {
      const helper = authx.AuthCodeFlowHelper.create({ ...params, scopes: undefined });
      expect(helper.client.getTokenCache()).toBeDefined();
      expect(helper.scopes).toEqual(['https://redis.azure.com/.default']);
      expect(helper.redirectUri).toBe(params.redirectUri);
    });

    it('names an invalid option', () => {
      expect(() => authx.AuthCodeFlowHelper.create({ ...params, redirectUri: '' })).toThrow(
        expect.objectContaining({ option: 'redirectUri' }),
      );
    });
  });

  describe('MSALIdentityProvider', () => {
    const result = (expiresInMs: number) =>
      ({ accessToken: 'a.b.c', expiresOn: new Date(Date.now() + expiresInMs) }) as AuthenticationResult;

    it('returns the MSAL result with its time to live', async () => {
      const token = result(60_000);
      const response = await new authx.MSALIdentityProvider(async () => token).requestToken();
      expect(response.token).toBe(token);
      expect(response.ttlMs).toBeGreaterThan(58_000);
      expect(response.ttlMs).toBeLessThanOrEqual(60_000);
    });

    it('rejects a result without a usable token, as the seed does', async () => {
      await expect(
        new authx.MSALIdentityProvider(async () => ({ ...result(60_000), accessToken: '' })).requestToken(),
      ).rejects.toThrow();
      await expect(new authx.MSALIdentityProvider(async () => null).requestToken()).rejects.toThrow();
    });

    it('classifies an MSAL failure, keeping it as cause', async () => {
      const failure = new ServerError('invalid_client', '', 'bad secret', '', '7000215', 401);
      const error = await new authx.MSALIdentityProvider(async () => {
        throw failure;
      })
        .requestToken()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdentityProviderError);
      expect(error).toMatchObject({ code: EntraIdErrorCode.INVALID_CLIENT, isRetryable: false });
      expect((error as Error).cause).toBe(failure);
    });
  });

  describe('retry.isRetryable', () => {
    it('receives the error the credential threw, not the classified wrapper', async () => {
      const thrown = new CredentialUnavailableError('no credential yet');
      const seen: unknown[] = [];
      const provider = authx.EntraIdCredentialsProviderFactory.createForDefaultAzureCredential({
        credential: new FailingCredential(thrown),
        tokenManagerConfig: {
          retry: {
            maxAttempts: 0,
            isRetryable: (error, attempt) => {
              seen.push(error, attempt);
              return false;
            },
          },
        },
      });
      const failed = await provider.subscribe({ onNext() {}, onError() {} }).catch((e: unknown) => e);
      provider.dispose();
      expect(seen).toEqual([thrown, 0]);
      expect(seen[0]).toBe(thrown);
      // Events and the final error still carry the classified error.
      expect((failed as { lastError?: unknown }).lastError).toMatchObject({
        code: EntraIdErrorCode.CREDENTIAL_UNAVAILABLE,
        cause: thrown,
      });
    });
  });

  describe('managed identity scopes', () => {
    it('uses the first scope as resource, as the seed does, instead of refusing several', () => {
      expect(
        managedIdentityResource(['https://redis.azure.com/.default', 'https://graph.microsoft.com']),
      ).toBe('https://redis.azure.com');
      expect(() =>
        authx.EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity({
          scopes: ['https://redis.azure.com', 'other'],
        }),
      ).not.toThrow();
    });
  });
});
