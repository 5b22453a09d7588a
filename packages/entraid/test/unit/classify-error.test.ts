import { IdentityProviderError, RequestTimeoutError } from '@authx/token-core';
import {
  AuthenticationError,
  AuthenticationRequiredError,
  CredentialUnavailableError,
} from '@azure/identity';
import {
  AuthError,
  ClientAuthError,
  ClientConfigurationError,
  InteractionRequiredAuthError,
  ManagedIdentityApplication,
  ServerError,
} from '@azure/msal-node';
import { toIdentityProviderError } from '../../src/classify-error';
import { EntraIdErrorCode } from '../../src/error-codes';

const flow = 'client credentials';

function classify(error: unknown, extra: Partial<Parameters<typeof toIdentityProviderError>[1]> = {}) {
  const result = toIdentityProviderError(error, { flow, ...extra }) as IdentityProviderError;
  return {
    code: result.code,
    isRetryable: result.isRetryable,
    status: result.status,
    retryAfterMs: result.retryAfterMs,
    result,
  };
}

describe('toIdentityProviderError', () => {
  describe('MSAL errors (constructed with MSAL’s own classes)', () => {
    it('classifies invalid_client (wrong secret) as permanent with its status', () => {
      const error = new ServerError(
        'invalid_client',
        'corr-1',
        'Error(s): 7000215 - Invalid client secret provided.',
        '',
        '7000215',
        401,
      );
      expect(classify(error)).toMatchObject({
        code: EntraIdErrorCode.INVALID_CLIENT,
        isRetryable: false,
        status: 401,
      });
    });

    it('keeps the MSAL error as cause and says which flow failed', () => {
      const error = new ServerError('invalid_client', 'corr-1', 'Error(s): 7000215', '', '7000215', 401);
      const { result } = classify(error);
      expect(result).toBeInstanceOf(IdentityProviderError);
      expect(result.cause).toBe(error);
      expect(result.message).toMatch(/^Entra ID client credentials: .*invalid_client/);
    });

    it.each(['invalid_grant', 'invalid_scope', 'unauthorized_client'])(
      'classifies %s (HTTP 400) as permanent',
      (errorCode) => {
        expect(classify(new ServerError(errorCode, '', 'x', '', undefined, 400)).isRetryable).toBe(false);
      },
    );

    it('classifies InteractionRequiredAuthError (invalid_grant without status) as permanent', () => {
      expect(classify(new InteractionRequiredAuthError('invalid_grant', 'AADSTS70000'))).toMatchObject({
        code: EntraIdErrorCode.INVALID_GRANT,
        isRetryable: false,
      });
    });

    it.each([408, 500, 502, 503, 504])('classifies HTTP %i as transient', (status) => {
      expect(classify(new ServerError('server_error', '', 'x', '', undefined, status))).toMatchObject({
        code: EntraIdErrorCode.SERVER_UNAVAILABLE,
        isRetryable: true,
        status,
      });
    });

    it('classifies 429 as throttled and passes the observed Retry-After on', () => {
      const error = new ServerError('temporarily_unavailable', '', 'x', '', undefined, 429);
      expect(classify(error, { lastErrorResponse: { status: 429, retryAfterMs: 3000 } })).toMatchObject({
        code: EntraIdErrorCode.THROTTLED,
        isRetryable: true,
        retryAfterMs: 3000,
      });
    });

    it('classifies MSAL’s local throttle refusal (no status, numeric error code) as throttled', () => {
      const error = new ServerError('50196', 'corr', 'The server temporarily blocked repeated requests');
      expect(classify(error)).toMatchObject({
        code: EntraIdErrorCode.THROTTLED,
        isRetryable: true,
        status: undefined,
      });
    });

    it('classifies a status seen by the network client when the error has none', () => {
      const error = new ServerError('', 'corr', 'x');
      expect(classify(error, { lastErrorResponse: { status: 503 } })).toMatchObject({
        code: EntraIdErrorCode.SERVER_UNAVAILABLE,
        isRetryable: true,
        status: 503,
      });
    });

    it.each([
      ['network_error', EntraIdErrorCode.NETWORK_ERROR],
      ['token_parsing_error', EntraIdErrorCode.SERVER_UNAVAILABLE],
    ])('classifies AuthError %s as transient', (errorCode, code) => {
      expect(classify(new AuthError(errorCode, '', 'Network request failed'))).toMatchObject({
        code,
        isRetryable: true,
      });
    });

    it('classifies a discovery failure (endpoints_resolution_error) as transient', () => {
      expect(classify(new ClientAuthError('endpoints_resolution_error', ''))).toMatchObject({
        code: EntraIdErrorCode.DISCOVERY_FAILED,
        isRetryable: true,
      });
    });

    it('classifies other ClientAuthErrors as permanent configuration problems', () => {
      expect(classify(new ClientAuthError('no_account_in_silent_request', ''))).toMatchObject({
        code: EntraIdErrorCode.CONFIGURATION_ERROR,
        isRetryable: false,
      });
    });

    it('classifies ClientConfigurationError as permanent', () => {
      expect(
        classify(new ClientConfigurationError('authority_uri_insecure', 'https required')),
      ).toMatchObject({ code: EntraIdErrorCode.CONFIGURATION_ERROR, isRetryable: false });
    });
  });

  describe('managed identity', () => {
    // App Service answers errors without an OAuth code (errorCode ""), IMDS with one.
    const appService = (status: number) => new ServerError('', '', 'x', '', undefined, status);
    const imds = (status: number, code = 'invalid_request') =>
      new ServerError(code, '', 'x', '', undefined, status);

    it.each([404, 408, 410, 429, 500, 503])(
      'classifies HTTP %i as transient from App Service and from IMDS',
      (status) => {
        for (const error of [appService(status), imds(status)]) {
          expect(classify(error, { managedIdentity: true })).toMatchObject({
            code: EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE,
            isRetryable: true,
            status,
          });
        }
      },
    );

    it.each([400, 401, 403])('classifies HTTP %i as permanent from App Service and from IMDS', (status) => {
      for (const error of [appService(status), imds(status)]) {
        expect(classify(error, { managedIdentity: true })).toMatchObject({
          code: EntraIdErrorCode.REQUEST_REJECTED,
          isRetryable: false,
          status,
        });
      }
    });

    it('classifies an unknown identity (400) the same from App Service and IMDS', () => {
      const fromAppService = classify(appService(400), { managedIdentity: true });
      const fromImds = classify(imds(400), { managedIdentity: true });
      expect(fromAppService).toMatchObject({ isRetryable: false, code: fromImds.code });
    });

    it('keeps the OAuth code of a permanent answer: 400 invalid_resource is an invalid scope', () => {
      expect(classify(imds(400, 'invalid_resource'), { managedIdentity: true })).toMatchObject({
        code: EntraIdErrorCode.INVALID_SCOPE,
        isRetryable: false,
      });
    });

    it('classifies a refused connection as managed identity unavailable', () => {
      expect(classify(new AuthError('network_error', ''), { managedIdentity: true })).toMatchObject({
        code: EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE,
        isRetryable: true,
      });
    });

    it('keeps the IMDS Retry-After', () => {
      const error = new ServerError('too_many_requests', '', 'x', '', undefined, 429);
      expect(
        classify(error, { managedIdentity: true, lastErrorResponse: { status: 429, retryAfterMs: 2000 } })
          .retryAfterMs,
      ).toBe(2000);
    });

    describe('MSAL ManagedIdentityError', () => {
      // msal-node does not export the class: take it from an error MSAL really raises.
      const ManagedIdentityError = (() => {
        try {
          new ManagedIdentityApplication({
            managedIdentityIdParams: { userAssignedClientId: 'a', userAssignedObjectId: 'b' },
          });
        } catch (error) {
          return (error as Error).constructor as new (
            errorCode: string,
            correlationId: string,
          ) => Error;
        }
        throw new Error('MSAL accepted two managed identity ids');
      })();

      it.each([
        'invalid_managed_identity_id_type',
        'unable_to_create_source',
        'identity_endpoint_url_malformed',
        'user_assigned_not_available_at_runtime',
        'unable_to_create_cloud_shell',
      ])('classifies %s as a permanent configuration error', (errorCode) => {
        const error = new ManagedIdentityError(errorCode, '');
        expect(error.name).toBe('ManagedIdentityError');
        expect(classify(error, { managedIdentity: true })).toMatchObject({
          code: EntraIdErrorCode.CONFIGURATION_ERROR,
          isRetryable: false,
        });
      });

      it('classifies network_unavailable (the endpoint timed out) as transient', () => {
        expect(
          classify(new ManagedIdentityError('network_unavailable', ''), { managedIdentity: true }),
        ).toMatchObject({ code: EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE, isRetryable: true });
      });
    });
  });

  describe('@azure/identity errors', () => {
    it('classifies AuthenticationError by its status and OAuth error', () => {
      const rejected = new AuthenticationError(401, {
        error: 'invalid_client',
        error_description: 'bad secret',
      });
      expect(classify(rejected)).toMatchObject({
        code: EntraIdErrorCode.INVALID_CLIENT,
        isRetryable: false,
        status: 401,
      });
      const unavailable = new AuthenticationError(503, {
        error: 'temporarily_unavailable',
        error_description: 'try later',
      });
      expect(classify(unavailable)).toMatchObject({
        code: EntraIdErrorCode.SERVER_UNAVAILABLE,
        isRetryable: true,
        status: 503,
      });
    });

    it('classifies a ManagedIdentityCredential failure by the managed identity rules', () => {
      const gone = new CredentialUnavailableError('ManagedIdentityCredential: Authentication failed.', {
        cause: new ServerError('invalid_request', '', 'x', '', undefined, 410),
      });
      expect(classify(gone)).toMatchObject({
        code: EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE,
        isRetryable: true,
        status: 410,
      });
      const unknownIdentity = new CredentialUnavailableError('ManagedIdentityCredential: failed.', {
        cause: new ServerError('', '', 'x', '', undefined, 400),
      });
      expect(classify(unknownIdentity)).toMatchObject({
        code: EntraIdErrorCode.REQUEST_REJECTED,
        isRetryable: false,
      });
    });

    it('classifies CredentialUnavailableError by its cause, else as transient', () => {
      const wrapped = new CredentialUnavailableError('ManagedIdentityCredential: unavailable', {
        cause: new ServerError('', '', 'x', '', undefined, 500),
      });
      expect(classify(wrapped)).toMatchObject({ isRetryable: true, status: 500 });
      expect(classify(new CredentialUnavailableError('no credential'))).toMatchObject({
        code: EntraIdErrorCode.CREDENTIAL_UNAVAILABLE,
        isRetryable: true,
      });
    });

    it('reads the MSAL error code from an AuthenticationRequiredError message (4.13 keeps no cause)', () => {
      const rejected = new AuthenticationRequiredError({
        scopes: ['s'],
        message: 'invalid_client: Error(s): 7000215',
      });
      expect(classify(rejected)).toMatchObject({ code: EntraIdErrorCode.INVALID_CLIENT, isRetryable: false });
      const unavailable = new AuthenticationRequiredError({
        scopes: ['s'],
        message: 'server_error: Error(s): 500',
      });
      expect(classify(unavailable).isRetryable).toBe(true);
    });
  });

  it('passes authx errors through unchanged', () => {
    const timeout = new RequestTimeoutError(5000);
    expect(toIdentityProviderError(timeout, { flow })).toBe(timeout);
  });

  it('treats unknown errors as transient', () => {
    expect(classify(new TypeError('boom'))).toMatchObject({
      code: EntraIdErrorCode.UNKNOWN,
      isRetryable: true,
    });
    expect(classify('a string')).toMatchObject({ code: EntraIdErrorCode.UNKNOWN, isRetryable: true });
  });

  it('redacts the original message', () => {
    const { result } = classify(new AuthError('network_error', '', 'failed with secret hunter22'), {
      redact: (t) => t.replace('hunter22', '[redacted]'),
    });
    expect(result.message).not.toContain('hunter22');
    expect(result.message).toContain('[redacted]');
  });
});
