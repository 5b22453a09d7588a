import {
  AuthxError,
  CredentialsMappingError,
  DisposedError,
  ErrorCode,
  IdentityProviderError,
  InvalidOptionError,
  InvalidTokenResponseError,
  RefreshFailedError,
  RequestTimeoutError,
  TokenExpiredError,
} from '../src';

describe('errors', () => {
  const cause = new Error('connect ECONNREFUSED 127.0.0.1:443');

  it.each([
    [
      new IdentityProviderError('IdP said no', { isRetryable: false, cause }),
      'IDENTITY_PROVIDER_ERROR',
      false,
    ],
    [new RequestTimeoutError(5000), 'REQUEST_TIMEOUT', true],
    [new InvalidTokenResponseError('no ttl'), 'INVALID_TOKEN_RESPONSE', true],
    [new TokenExpiredError({ expiredAtMs: 0, attempts: 4, cause }), 'TOKEN_EXPIRED', true],
    [
      new RefreshFailedError({ reason: 'permanent-error', attempts: 1, lastError: cause }),
      'REFRESH_FAILED',
      false,
    ],
    [
      new RefreshFailedError({ reason: 'retries-exhausted', attempts: 4, lastError: cause }),
      'REFRESH_FAILED',
      true,
    ],
    [new InvalidOptionError('retry.maxAttempts', 'an integer', -1), 'INVALID_OPTION', false],
    [new CredentialsMappingError('mapper threw', { cause }), 'CREDENTIALS_MAPPING_FAILED', false],
    [new DisposedError('thing'), 'DISPOSED', false],
    [new AuthxError('generic'), 'AUTHX_ERROR', false],
  ])('%s has a stable code, its class name and isRetryable', (error, code, isRetryable) => {
    expect(error.code).toBe(code);
    expect(Object.values(ErrorCode)).toContain(code);
    expect(error.isRetryable).toBe(isRetryable);
    expect(error.name).toBe(error.constructor.name);
    expect(error).toBeInstanceOf(AuthxError);
    expect(error).toBeInstanceOf(Error);
    expect(AuthxError.isInstance(error)).toBe(true);
  });

  it('keeps the original cause and names it in the message', () => {
    const error = new RefreshFailedError({ reason: 'retries-exhausted', attempts: 4, lastError: cause });
    expect(error.cause).toBe(cause);
    expect(error.lastError).toBe(cause);
    expect(error.attempts).toBe(4);
    expect(error.message).toBe(
      'Token request failed after all retries (4 attempts): Error: connect ECONNREFUSED 127.0.0.1:443',
    );
    expect(new TokenExpiredError({ expiredAtMs: 0, attempts: 1 }).message).toBe(
      'Token expired at 1970-01-01T00:00:00.000Z before it could be refreshed (1 attempt)',
    );
    expect(
      new RefreshFailedError({ reason: 'permanent-error', attempts: 1, lastError: 'text' }).message,
    ).toBe('Token request failed with a permanent error (1 attempt): string');
  });

  it('carries the Retry-After hint and HTTP status of an identity provider failure', () => {
    const error = new IdentityProviderError('throttled', {
      isRetryable: true,
      retryAfterMs: 2000,
      status: 429,
      code: 'throttled',
    });
    expect(error).toMatchObject({ retryAfterMs: 2000, status: 429, code: 'throttled', isRetryable: true });
    expect(new IdentityProviderError('x', { isRetryable: true }).retryAfterMs).toBeUndefined();
  });

  it('describes a non-primitive option value by its type only, so a secret passed by mistake is not echoed', () => {
    const error = new InvalidOptionError('clientSecret', 'a string', { secret: 'hunter2' });
    expect(error.message).toBe(
      'Invalid option "clientSecret": expected a string, got a value of type object',
    );
    expect(error).toMatchObject({ option: 'clientSecret', accepted: 'a string' });
  });

  describe('isInstance', () => {
    it('checks the class it is called on, including subclasses', () => {
      const timeout = new RequestTimeoutError(1);
      expect(RequestTimeoutError.isInstance(timeout)).toBe(true);
      expect(TokenExpiredError.isInstance(timeout)).toBe(false);
      expect(IdentityProviderError.isInstance(timeout)).toBe(false);
      expect(AuthxError.isInstance(new Error('plain'))).toBe(false);
      expect(AuthxError.isInstance(undefined)).toBe(false);
      expect(AuthxError.isInstance('REQUEST_TIMEOUT')).toBe(false);
    });

    it('recognises errors created by a duplicate install of the package, where instanceof fails', () => {
      let other: typeof import('../src') | undefined;
      jest.isolateModules(() => {
        other = require('../src');
      });
      const foreign = new other!.RequestTimeoutError(1);
      expect(foreign).not.toBeInstanceOf(RequestTimeoutError);
      expect(RequestTimeoutError.isInstance(foreign)).toBe(true);
      expect(AuthxError.isInstance(foreign)).toBe(true);
      expect(other!.RequestTimeoutError.isInstance(new RequestTimeoutError(1))).toBe(true);
      expect(TokenExpiredError.isInstance(foreign)).toBe(false);
    });
  });
});
