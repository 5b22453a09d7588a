import { AuthxError } from '../errors';

/** Stable codes of the errors raised by the client bindings; compare `error.code` against these. */
export const BindingErrorCode = Object.freeze({
  CREDENTIALS_PROVIDER_FAILED: 'CREDENTIALS_PROVIDER_FAILED',
  CREDENTIALS_UNAVAILABLE: 'CREDENTIALS_UNAVAILABLE',
  REAUTHENTICATION_FAILED: 'REAUTHENTICATION_FAILED',
  PUBSUB_ROTATION_FAILED: 'PUBSUB_ROTATION_FAILED',
  BINDING_DISPOSED: 'BINDING_DISPOSED',
  INSECURE_TRANSPORT: 'INSECURE_TRANSPORT',
  HOST_NOT_ALLOWED: 'HOST_NOT_ALLOWED',
} as const);

/**
 * The streaming credentials provider failed: its `subscribe()` rejected or threw, it reported an
 * error through its listener (e.g. the identity provider refused, or gave up refreshing), or it
 * handed out credentials that had already expired. `isRetryable` follows the cause; the binding
 * keeps recovering either way (see the binding's `recovery` option).
 */
export class CredentialsProviderError extends AuthxError {
  static override readonly kind: string = 'CredentialsProviderError';
  constructor(message: string, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super(message, {
      code: BindingErrorCode.CREDENTIALS_PROVIDER_FAILED,
      isRetryable:
        options.isRetryable ?? (options.cause as { isRetryable?: unknown } | null)?.isRetryable !== false,
      cause: options.cause,
    });
  }
}

/**
 * A connection handshake found no valid credentials to use and none arrived in time. The binding
 * never hands out credentials past their expiry; `cause` is the provider's last failure, if any.
 */
export class CredentialsUnavailableError extends AuthxError {
  static override readonly kind: string = 'CredentialsUnavailableError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, {
      code: BindingErrorCode.CREDENTIALS_UNAVAILABLE,
      isRetryable: true,
      cause: options.cause,
    });
  }
}

/**
 * A connection refused, or could not be sent, the `AUTH` carrying new credentials. Not retryable
 * when the server refused these credentials (`WRONGPASS`, `NOPERM`): the binding waits for new ones.
 */
export class ReauthenticationError extends AuthxError {
  static override readonly kind: string = 'ReauthenticationError';
  /** Label of the connection, e.g. `client#1` or `cluster#1/127.0.0.1:7000`. */
  readonly connection: string;
  constructor(connection: string, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super(`Re-authentication of ${connection} failed: ${describeCause(options.cause)}`, {
      code: BindingErrorCode.REAUTHENTICATION_FAILED,
      isRetryable: options.isRetryable ?? true,
      cause: options.cause,
    });
    this.connection = connection;
  }
}

/** Moving a RESP2 subscriber onto fresh credentials (make-before-break) failed or timed out. */
export class PubSubRotationError extends AuthxError {
  static override readonly kind: string = 'PubSubRotationError';
  readonly connection: string;
  constructor(connection: string, options: { cause?: unknown } = {}) {
    super(
      `Moving the RESP2 subscriber ${connection} onto new credentials failed: ${describeCause(options.cause)}`,
      { code: BindingErrorCode.PUBSUB_ROTATION_FAILED, isRetryable: true, cause: options.cause },
    );
    this.connection = connection;
  }
}

/** The binding was disposed; it hands out no more credentials. */
export class BindingDisposedError extends AuthxError {
  static override readonly kind: string = 'BindingDisposedError';
  constructor(what = 'The Redis credentials binding') {
    super(`${what} was disposed`, { code: BindingErrorCode.BINDING_DISPOSED, isRetryable: false });
  }
}

/**
 * The binding refused to send a credential over a connection that is neither TLS nor to a loopback
 * address (127.0.0.0/8, ::1, `localhost`, a Unix socket): a bearer token sent in clear text can be
 * read and replayed by anyone on the path. Names the host and the fix, never the credential.
 * Not retryable: the same connection settings are refused again.
 */
export class InsecureTransportError extends AuthxError {
  static override readonly kind: string = 'InsecureTransportError';
  /** The configured host name or address the credential would have gone to. */
  readonly host: string;
  constructor(host: string, options: { port?: number | string | undefined; connection?: string } = {}) {
    const where = options.port === undefined ? host : `${host}:${options.port}`;
    const of = options.connection === undefined ? '' : ` (${options.connection})`;
    super(
      `Refused to send a token to ${where}${of} over plaintext: the connection is neither TLS nor loopback. ` +
        'Connect with TLS (a rediss:// URL or socket.tls: true; Azure Cache for Redis listens on port 6380, ' +
        'Azure Managed Redis on 10000), or set allowInsecureTransport: true if a private network terminates TLS elsewhere',
      { code: BindingErrorCode.INSECURE_TRANSPORT, isRetryable: false },
    );
    this.host = host;
  }
}

/**
 * The binding refused to send a credential to a host its `allowedHosts` option does not list.
 * Names the host and the option, never the credential. Not retryable.
 */
export class HostNotAllowedError extends AuthxError {
  static override readonly kind: string = 'HostNotAllowedError';
  /** The configured host name or address the credential would have gone to. */
  readonly host: string;
  constructor(host: string, options: { connection?: string } = {}) {
    const of = options.connection === undefined ? '' : ` (${options.connection})`;
    super(
      `Refused to send a token to ${host}${of}: the host is not in allowedHosts. ` +
        'Add it (or a *. pattern matching it) to the allowedHosts option if it is your Redis server',
      { code: BindingErrorCode.HOST_NOT_ALLOWED, isRetryable: false },
    );
    this.host = host;
  }
}

/** Server replies that mean "these credentials are refused" — retrying the same ones cannot help. */
export function isCredentialsRefusal(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /^(WRONGPASS|NOPERM|NOAUTH)\b/.test(message) || /invalid username-password pair/i.test(message);
}

// Server replies (WRONGPASS …) and client errors never contain the password; still, only the
// first line is kept so a message can never carry a multi-line payload.
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message.split('\n')[0]}`;
  return String(cause).split('\n')[0] ?? '';
}
