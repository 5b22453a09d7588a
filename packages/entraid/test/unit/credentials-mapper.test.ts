import type { AuthenticationResult } from '@azure/msal-node';
import {
  DEFAULT_CREDENTIALS_MAPPER,
  isAccessToken,
  isAuthenticationResult,
  OID_CREDENTIALS_MAPPER,
} from '../../src';
import { EntraIdErrorCode } from '../../src/error-codes';

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2ln`;
}

const accessToken = jwt({ oid: '0b1e5a3c-0000-4000-8000-000000000001', tid: 't' });
const msalResult = { accessToken, expiresOn: new Date() } as AuthenticationResult;
const azureToken = { token: accessToken, expiresOnTimestamp: Date.now() };

describe('OID_CREDENTIALS_MAPPER', () => {
  it('maps an MSAL result to oid + access token', () => {
    expect(OID_CREDENTIALS_MAPPER(msalResult)).toEqual({
      username: '0b1e5a3c-0000-4000-8000-000000000001',
      password: accessToken,
    });
  });

  it('maps an @azure/identity AccessToken the same way', () => {
    expect(OID_CREDENTIALS_MAPPER(azureToken)).toEqual({
      username: '0b1e5a3c-0000-4000-8000-000000000001',
      password: accessToken,
    });
  });

  it.each([
    ['no oid', jwt({ sub: 'x' })],
    ['not a JWT', 'opaque-token'],
    ['a broken payload', 'a.%%%.c'],
  ])('throws a permanent typed error for %s', (_, token) => {
    expect(() => OID_CREDENTIALS_MAPPER({ token, expiresOnTimestamp: 0 })).toThrow(
      expect.objectContaining({ code: EntraIdErrorCode.MISSING_OID_CLAIM, isRetryable: false }),
    );
  });

  it('is the default mapper', () => {
    expect(DEFAULT_CREDENTIALS_MAPPER).toBe(OID_CREDENTIALS_MAPPER);
  });
});

describe('token shape guards', () => {
  it('tell MSAL results from AccessTokens', () => {
    expect([isAuthenticationResult(msalResult), isAccessToken(msalResult)]).toEqual([true, false]);
    expect([isAuthenticationResult(azureToken), isAccessToken(azureToken)]).toEqual([false, true]);
  });
});
