import { formatTime } from './token';

/** Stable error codes; compare `error.code` against these rather than against messages. */
export const ErrorCode = Object.freeze({
  AUTHX_ERROR: 'AUTHX_ERROR',
  IDENTITY_PROVIDER_ERROR: 'IDENTITY_PROVIDER_ERROR',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  INVALID_TOKEN_RESPONSE: 'INVALID_TOKEN_RESPONSE',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  REFRESH_FAILED: 'REFRESH_FAILED',
  INVALID_OPTION: 'INVALID_OPTION',
  CREDENTIALS_MAPPING_FAILED: 'CREDENTIALS_MAPPING_FAILED',
  DISPOSED: 'DISPOSED',
} as const);

// Symbol.for makes the marker the same across duplicate installs of this package, where
// `instanceof` fails because each copy has its own classes.
const KINDS = Symbol.for('@authx/token-core.error-kinds');

/** Any subclass of {@link AuthxError}. */
export type ErrorClass = abstract new (...args: any[]) => AuthxError;

/** Base class of every error raised by authx packages. */
export class AuthxError extends Error {
  /** Identifies the class in {@link AuthxError.isInstance}; every subclass declares its own. */
  static readonly kind: string = 'AuthxError';
  /** Stable machine-readable code, one of {@link ErrorCode} (adapters may add their own). */
  readonly code: string;
  /** True when trying the same operation again later may succeed. */
  readonly isRetryable: boolean;
  declare readonly [KINDS]: readonly string[];

  constructor(message: string, options: { code?: string; isRetryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const kinds: string[] = [];
    for (let c: any = new.target; c && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'kind')) kinds.push(c.kind);
    }
    Object.defineProperty(this, KINDS, { value: Object.freeze(kinds) });
    this.name = (new.target as unknown as { kind: string }).kind;
    this.code = options.code ?? ErrorCode.AUTHX_ERROR;
    this.isRetryable = options.isRetryable ?? false;
  }

  /**
   * Like `instanceof`, but also true for errors created by another copy of this package.
   * `RequestTimeoutError.isInstance(e)` checks for that class (or a subclass).
   */
  static isInstance<C extends ErrorClass>(
    this: C & { readonly kind: string },
    error: unknown,
  ): error is InstanceType<C> {
    if (typeof error !== 'object' || error === null) return false;
    const kinds = (error as { [KINDS]?: unknown })[KINDS];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class isInstance was called on, so each subclass checks its own kind.
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }
}

/** Options of {@link IdentityProviderError}. */
export interface IdentityProviderErrorOptions {
  /** Stable code; default `'IDENTITY_PROVIDER_ERROR'`. Adapters may use the IdP's own (e.g. `invalid_client`). */
  code?: string;
  /** Whether the failure is transient (network, throttling, 5xx) or permanent (bad credentials). */
  isRetryable: boolean;
  /** The identity provider asked to wait this many milliseconds before trying again (Retry-After). */
  retryAfterMs?: number;
  /** HTTP status of the failed response, when there was one. */
  status?: number;
  cause?: unknown;
}

/** A failure reported by an identity provider, classified by the adapter that called it. */
export class IdentityProviderError extends AuthxError {
  static override readonly kind: string = 'IdentityProviderError';
  /** Minimum wait in milliseconds before the next request, from the IdP's Retry-After. */
  readonly retryAfterMs?: number;
  /** HTTP status, when there was one. */
  readonly status?: number;

  constructor(message: string, options: IdentityProviderErrorOptions) {
    super(message, {
      code: options.code ?? ErrorCode.IDENTITY_PROVIDER_ERROR,
      isRetryable: options.isRetryable,
      cause: options.cause,
    });
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.status !== undefined) this.status = options.status;
  }
}

/** A token request took longer than `requestTimeoutMs`; always transient. */
export class RequestTimeoutError extends AuthxError {
  static override readonly kind: string = 'RequestTimeoutError';
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`Token request timed out after ${timeoutMs} ms`, {
      code: ErrorCode.REQUEST_TIMEOUT,
      isRetryable: true,
    });
    this.timeoutMs = timeoutMs;
  }
}

/** The identity provider answered with something that is not a usable token; treated as transient. */
export class InvalidTokenResponseError extends AuthxError {
  static override readonly kind: string = 'InvalidTokenResponseError';

  constructor(message: string) {
    super(message, { code: ErrorCode.INVALID_TOKEN_RESPONSE, isRetryable: true });
  }
}

/**
 * The current token expired before a new one could be obtained. The manager has stopped; the
 * next subscribe starts it again. `cause` is the last failure.
 */
export class TokenExpiredError extends AuthxError {
  static override readonly kind: string = 'TokenExpiredError';
  /** When the token expired, in milliseconds since the Unix epoch. */
  readonly expiredAtMs: number;
  /** IdP calls made since the refresh began. */
  readonly attempts: number;

  constructor(options: { expiredAtMs: number; attempts: number; cause?: unknown }) {
    super(
      `Token expired at ${formatTime(options.expiredAtMs)} before it could be refreshed ` +
        `(${options.attempts} attempt${options.attempts === 1 ? '' : 's'})${describeCause(options.cause)}`,
      { code: ErrorCode.TOKEN_EXPIRED, isRetryable: true, cause: options.cause },
    );
    this.expiredAtMs = options.expiredAtMs;
    this.attempts = options.attempts;
  }
}

/** Why a {@link RefreshFailedError} was raised. */
export type RefreshFailureReason =
  /** The identity provider refused in a way retrying cannot fix (e.g. invalid credentials). */
  | 'permanent-error'
  /** No valid token to fall back on, and every retry of the policy failed. */
  | 'retries-exhausted'
  /** A request made while recovering (see `RecoveryPolicyOptions`) failed; the next step is scheduled. */
  | 'recovery-failed';

/**
 * Obtaining a token failed for good: a permanent error (e.g. invalid credentials), or — when there
 * was no valid token to fall back on — every retry failed. `cause` and `lastError` are the last failure.
 */
export class RefreshFailedError extends AuthxError {
  static override readonly kind: string = 'RefreshFailedError';
  readonly reason: RefreshFailureReason;
  /** The last error from the identity provider (also `cause`). */
  readonly lastError: unknown;
  /** IdP calls made in this refresh. */
  readonly attempts: number;

  constructor(options: { reason: RefreshFailureReason; attempts: number; lastError: unknown }) {
    const what =
      options.reason === 'permanent-error'
        ? 'failed with a permanent error'
        : options.reason === 'retries-exhausted'
          ? 'failed after all retries'
          : 'failed while recovering';
    super(
      `Token request ${what} (${options.attempts} attempt${options.attempts === 1 ? '' : 's'})${describeCause(options.lastError)}`,
      {
        code: ErrorCode.REFRESH_FAILED,
        isRetryable:
          options.reason === 'retries-exhausted' ||
          (options.reason === 'recovery-failed' &&
            (options.lastError as { isRetryable?: unknown } | null)?.isRetryable !== false),
        cause: options.lastError,
      },
    );
    this.reason = options.reason;
    this.lastError = options.lastError;
    this.attempts = options.attempts;
  }
}

/** An option is out of range or of the wrong type; raised by constructors, never later. */
export class InvalidOptionError extends AuthxError {
  static override readonly kind: string = 'InvalidOptionError';
  /** Dotted path of the option, e.g. `retry.maxAttempts`. */
  readonly option: string;
  /** Human-readable description of the accepted values. */
  readonly accepted: string;

  constructor(option: string, accepted: string, received: unknown) {
    super(`Invalid option "${option}": expected ${accepted}, got ${describeValue(received)}`, {
      code: ErrorCode.INVALID_OPTION,
      isRetryable: false,
    });
    this.option = option;
    this.accepted = accepted;
  }
}

/** The credentials mapper threw or returned something that is not `{ username?, password? }`. */
export class CredentialsMappingError extends AuthxError {
  static override readonly kind: string = 'CredentialsMappingError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: ErrorCode.CREDENTIALS_MAPPING_FAILED, isRetryable: false, cause: options.cause });
  }
}

/** The provider or manager was disposed while the operation was pending. */
export class DisposedError extends AuthxError {
  static override readonly kind: string = 'DisposedError';

  constructor(what: string) {
    super(`${what} was disposed`, { code: ErrorCode.DISPOSED, isRetryable: false });
  }
}

function describeCause(cause: unknown): string {
  if (cause === undefined) return '';
  if (cause instanceof Error) return `: ${cause.name}: ${cause.message}`;
  return `: ${typeof cause}`;
}

// Values are described, not echoed whole: an option value could be anything, including a secret.
function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  return `a value of type ${typeof value}`;
}
