import { inspect } from 'node:util';
import {
  AuthxError,
  BindingDisposedError,
  BindingErrorCode,
  CredentialsProviderError,
  CredentialsUnavailableError,
  describeCause,
  isCredentialsRefusal,
  isStreamingProvider,
  PubSubRotationError,
  raceAbort,
  ReauthenticationError,
} from '../../src';

const SECRET = 'eyJhbGciOiJSUzI1NiJ9.secret-token.signature';

describe('binding errors', () => {
  it('carry stable codes, the original cause, and the right retryability', () => {
    const refused = new Error('WRONGPASS invalid username-password pair or user is disabled.');
    const reauth = new ReauthenticationError('client#1', { cause: refused, isRetryable: false });
    expect(reauth).toMatchObject({
      code: 'REAUTHENTICATION_FAILED',
      connection: 'client#1',
      isRetryable: false,
    });
    expect(reauth.cause).toBe(refused);
    expect(reauth.message).toBe(
      'Re-authentication of client#1 failed: Error: WRONGPASS invalid username-password pair or user is disabled.',
    );
    const rotation = new PubSubRotationError('subscriber', { cause: 'timed out\nsecond line' });
    expect(rotation).toMatchObject({
      code: 'PUBSUB_ROTATION_FAILED',
      connection: 'subscriber',
      isRetryable: true,
    });
    expect(rotation.message).toMatch(/: timed out$/);
    expect(new BindingDisposedError()).toMatchObject({ code: 'BINDING_DISPOSED', isRetryable: false });
    expect(new BindingDisposedError('The ioredis binding').message).toBe('The ioredis binding was disposed');
    expect(new CredentialsUnavailableError('none')).toMatchObject({
      code: 'CREDENTIALS_UNAVAILABLE',
      isRetryable: true,
    });
    // Retryability follows the cause unless given.
    expect(new CredentialsProviderError('x', { cause: { isRetryable: false } }).isRetryable).toBe(false);
    expect(new CredentialsProviderError('x', { cause: new Error('503') }).isRetryable).toBe(true);
    expect(new CredentialsProviderError('x').isRetryable).toBe(true);
    expect(Object.values(BindingErrorCode)).toEqual([
      'CREDENTIALS_PROVIDER_FAILED',
      'CREDENTIALS_UNAVAILABLE',
      'REAUTHENTICATION_FAILED',
      'PUBSUB_ROTATION_FAILED',
      'BINDING_DISPOSED',
      'INSECURE_TRANSPORT',
      'HOST_NOT_ALLOWED',
    ]);
    for (const error of [reauth, rotation, new BindingDisposedError()]) {
      expect(AuthxError.isInstance(error)).toBe(true);
    }
  });

  it('never put a credential in their message or inspect() output', () => {
    const error = new ReauthenticationError('client#1', { cause: new Error('WRONGPASS') });
    const provider = new CredentialsProviderError('The credentials provider reported an error', {
      cause: new Error('invalid_client'),
    });
    for (const text of [error.message, inspect(error), inspect(provider), String(provider)]) {
      expect(text).not.toContain(SECRET);
    }
  });

  it('tells refusals of the credentials from other failures', () => {
    expect(isCredentialsRefusal(new Error('WRONGPASS invalid username-password pair'))).toBe(true);
    expect(
      isCredentialsRefusal(new Error("NOPERM User app has no permissions to run the 'auth' command")),
    ).toBe(true);
    expect(isCredentialsRefusal('ERR invalid username-password pair')).toBe(true);
    expect(isCredentialsRefusal(new Error('Socket closed unexpectedly'))).toBe(false);
    expect(describeCause(undefined)).toBe('undefined');
  });
});

describe('isStreamingProvider', () => {
  it('accepts the node-redis shape and nothing else', () => {
    const provider = { type: 'streaming-credentials-provider', subscribe() {}, onReAuthenticationError() {} };
    expect(isStreamingProvider(provider)).toBe(true);
    expect(isStreamingProvider({ ...provider, type: 'async-credentials-provider' })).toBe(false);
    expect(isStreamingProvider({ type: 'streaming-credentials-provider' })).toBe(false);
    expect(isStreamingProvider(null)).toBe(false);
  });
});

describe('raceAbort', () => {
  it('settles with the work when no abort comes', async () => {
    await expect(
      raceAbort(Promise.resolve(1), new AbortController().signal, () => new Error('x')),
    ).resolves.toBe(1);
    await expect(
      raceAbort(Promise.reject(new Error('boom')), new AbortController().signal, () => new Error('x')),
    ).rejects.toThrow('boom');
    const work = Promise.resolve(2);
    expect(raceAbort(work, undefined, () => new Error('x'))).toBe(work);
  });

  it('rejects with the mapped reason as soon as the signal aborts, or at once if it already has', async () => {
    const controller = new AbortController();
    const pending = raceAbort(
      new Promise(() => {}),
      controller.signal,
      (reason) => new Error(`aborted: ${reason}`),
    );
    controller.abort('deadline');
    await expect(pending).rejects.toThrow('aborted: deadline');
    await expect(
      raceAbort(new Promise(() => {}), controller.signal, () => new Error('already')),
    ).rejects.toThrow('already');
  });
});
