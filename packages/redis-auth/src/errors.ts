import { AuthxError, BindingErrorCode } from '@authx/token-core';

export {
  BindingDisposedError,
  CredentialsProviderError,
  CredentialsUnavailableError,
  HostNotAllowedError,
  InsecureTransportError,
  PubSubRotationError,
  ReauthenticationError,
} from '@authx/token-core';

/** Stable codes of the errors raised by @authx/redis-auth; compare `error.code` against these. */
export const RedisAuthErrorCode = Object.freeze({
  ...BindingErrorCode,
  UNSUPPORTED_TARGET: 'UNSUPPORTED_TARGET',
  ALREADY_BOUND: 'ALREADY_BOUND',
} as const);

/** `bind()` was given something that is not a node-redis client, pool or cluster. */
export class UnsupportedTargetError extends AuthxError {
  static override readonly kind: string = 'UnsupportedTargetError';
  constructor(received: string) {
    super(
      `bind() expects a node-redis client (createClient), pool (createClientPool) or cluster (createCluster); got ${received}`,
      { code: RedisAuthErrorCode.UNSUPPORTED_TARGET, isRetryable: false },
    );
  }
}

/** The client is already bound to another binding; unbind it there first. */
export class AlreadyBoundError extends AuthxError {
  static override readonly kind: string = 'AlreadyBoundError';
  constructor(label: string) {
    super(`This client is already bound to another RedisAuth (as ${label}); unbind it there first`, {
      code: RedisAuthErrorCode.ALREADY_BOUND,
      isRetryable: false,
    });
  }
}
