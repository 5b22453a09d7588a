import { CredentialsProviderError } from '@smithy/property-provider';
import { AwsIamErrorCode, toAwsIdentityProviderError } from '../../src';

const sdkError = (name: string, status: number, extra: object = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('toAwsIdentityProviderError', () => {
  it.each([
    // What @aws-sdk/credential-provider-http (fromHttp) raises: String(e) of the inner error.
    [
      new CredentialsProviderError('Error: connect ECONNREFUSED 127.0.0.1:9'),
      AwsIamErrorCode.CREDENTIALS_UNAVAILABLE,
      true,
    ],
    [new CredentialsProviderError('Error: socket hang up'), AwsIamErrorCode.CREDENTIALS_UNAVAILABLE, true],
    [
      new CredentialsProviderError('CredentialsProviderError: Server responded with status: 500'),
      AwsIamErrorCode.CREDENTIALS_UNAVAILABLE,
      true,
    ],
    [
      new CredentialsProviderError('CredentialsProviderError: Server responded with status: 403'),
      AwsIamErrorCode.CREDENTIALS_REJECTED,
      false,
    ],
    [
      new CredentialsProviderError('CredentialsProviderError: Server responded with status: 429'),
      AwsIamErrorCode.CREDENTIALS_THROTTLED,
      true,
    ],
    [
      new CredentialsProviderError('Could not load credentials from any providers', { tryNextLink: false }),
      AwsIamErrorCode.NO_CREDENTIALS,
      false,
    ],
    // STS (fromTemporaryCredentials, fromWebToken) errors carry $metadata.
    [sdkError('ExpiredTokenException', 400), AwsIamErrorCode.CREDENTIALS_REJECTED, false],
    [sdkError('AccessDenied', 403), AwsIamErrorCode.CREDENTIALS_REJECTED, false],
    [sdkError('Throttling', 400), AwsIamErrorCode.CREDENTIALS_THROTTLED, true],
    [sdkError('InternalFailure', 500), AwsIamErrorCode.CREDENTIALS_UNAVAILABLE, true],
    [
      Object.assign(new Error('timeout'), { name: 'TimeoutError' }),
      AwsIamErrorCode.CREDENTIALS_UNAVAILABLE,
      true,
    ],
    [new Error('something odd'), AwsIamErrorCode.UNKNOWN, true],
  ])('%s → %s (retryable %s)', (error, code, isRetryable) => {
    const classified = toAwsIdentityProviderError(error);
    expect(classified.code).toBe(code);
    expect(classified.isRetryable).toBe(isRetryable);
    expect(classified.cause).toBe(error); // untouched: no secret-shaped text in it
    expect(classified.message).toContain((error as Error).name);
  });

  it('keeps secret-shaped text out of the message', () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const classified = toAwsIdentityProviderError(new Error(`bad response ${secret}`));
    expect(classified.message).not.toContain(secret);
    expect(require('node:util').inspect(classified)).not.toContain(secret);
    expect((classified.cause as Error).name).toBe('Error');
  });
});
