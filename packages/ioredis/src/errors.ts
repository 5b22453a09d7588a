import { AuthxError, BindingErrorCode } from '@authx/token-core';

export {
  BindingDisposedError,
  CredentialsProviderError,
  CredentialsUnavailableError,
  PubSubRotationError,
  ReauthenticationError,
} from '@authx/token-core';

/** Stable codes of the errors raised by @authx/ioredis; compare `error.code` against these. */
export const IoredisAuthErrorCode = Object.freeze({
  ...BindingErrorCode,
  UNSUPPORTED_TARGET: 'UNSUPPORTED_TARGET',
  ALREADY_BOUND: 'ALREADY_BOUND',
} as const);

/** `bind()` was given something that is not an ioredis `Redis` or `Cluster`. */
export class UnsupportedTargetError extends AuthxError {
  static override readonly kind: string = 'UnsupportedTargetError';
  constructor(received: string) {
    super(`bind() expects an ioredis Redis (new Redis()) or Cluster (new Cluster()); got ${received}`, {
      code: IoredisAuthErrorCode.UNSUPPORTED_TARGET,
      isRetryable: false,
    });
  }
}

/** The client is already bound to another binding; unbind it there first. */
export class AlreadyBoundError extends AuthxError {
  static override readonly kind: string = 'AlreadyBoundError';
  constructor(label: string) {
    super(`This client is already bound to another IoredisAuth (as ${label}); unbind it there first`, {
      code: IoredisAuthErrorCode.ALREADY_BOUND,
      isRetryable: false,
    });
  }
}
