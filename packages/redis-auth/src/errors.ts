import { AuthxError } from '@authx/token-core';

/** Stable codes of the errors raised by @authx/redis-auth; compare `error.code` against these. */
export const RedisAuthErrorCode = Object.freeze({
  CREDENTIALS_PROVIDER_FAILED: 'CREDENTIALS_PROVIDER_FAILED',
  REAUTHENTICATION_FAILED: 'REAUTHENTICATION_FAILED',
  PUBSUB_ROTATION_FAILED: 'PUBSUB_ROTATION_FAILED',
  BINDING_DISPOSED: 'BINDING_DISPOSED',
  UNSUPPORTED_TARGET: 'UNSUPPORTED_TARGET',
} as const);

/**
 * The streaming credentials provider failed: its `subscribe()` rejected, or it reported an error
 * through the listener (for example the identity provider gave up refreshing). Retryable: the
 * binding subscribes again on the next connection handshake.
 */
export class CredentialsProviderError extends AuthxError {
  static override readonly kind: string = 'CredentialsProviderError';
  constructor(message: string, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super(message, {
      code: RedisAuthErrorCode.CREDENTIALS_PROVIDER_FAILED,
      isRetryable: options.isRetryable ?? true,
      cause: options.cause,
    });
  }
}

/** A connection rejected, or could not be sent, the `AUTH` carrying new credentials. */
export class ReauthenticationError extends AuthxError {
  static override readonly kind: string = 'ReauthenticationError';
  /** Label of the connection, e.g. `client#1` or `cluster#1/127.0.0.1:7000`. */
  readonly connection: string;
  constructor(connection: string, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super(`Re-authentication of ${connection} failed: ${describeCause(options.cause)}`, {
      code: RedisAuthErrorCode.REAUTHENTICATION_FAILED,
      isRetryable: options.isRetryable ?? true,
      cause: options.cause,
    });
    this.connection = connection;
  }
}

/** Moving a RESP2 subscriber onto fresh credentials (make-before-break) failed. */
export class PubSubRotationError extends AuthxError {
  static override readonly kind: string = 'PubSubRotationError';
  readonly connection: string;
  constructor(connection: string, options: { cause?: unknown } = {}) {
    super(
      `Moving the RESP2 subscriber ${connection} onto new credentials failed: ${describeCause(options.cause)}`,
      {
        code: RedisAuthErrorCode.PUBSUB_ROTATION_FAILED,
        isRetryable: true,
        cause: options.cause,
      },
    );
    this.connection = connection;
  }
}

/** The binding was disposed; it hands out no more credentials. */
export class BindingDisposedError extends AuthxError {
  static override readonly kind: string = 'BindingDisposedError';
  constructor() {
    super('The Redis credentials binding was disposed', {
      code: RedisAuthErrorCode.BINDING_DISPOSED,
      isRetryable: false,
    });
  }
}

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

// Server replies (WRONGPASS …) and node-redis errors never contain the password; still, only the
// first line is kept so a message can never carry a multi-line payload.
function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message.split('\n')[0]}`;
  return String(cause).split('\n')[0] ?? '';
}
