import { IdentityProviderError } from '@authx/token-core';
import { AwsIamErrorCode } from './error-codes';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'TimeoutError',
  'RequestTimeout',
]);
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);
const REJECTED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidIdentityToken',
  'IDPRejectedClaim',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'UnauthorizedException',
]);

// Secret-shaped runs (secret keys, session tokens, signatures) never reach a message.
const SECRET_SHAPED = /[A-Za-z0-9+/=_%-]{32,}/g;

function fields(error: unknown): {
  name: string;
  message: string;
  code?: string;
  status?: number;
} {
  const e = (error ?? {}) as Record<string, unknown>;
  const metadata = e.$metadata as { httpStatusCode?: unknown } | undefined;
  const status =
    typeof metadata?.httpStatusCode === 'number'
      ? metadata.httpStatusCode
      : typeof e.statusCode === 'number'
        ? e.statusCode
        : undefined;
  return {
    name: typeof e.name === 'string' ? e.name : typeof error,
    message: typeof e.message === 'string' ? e.message : String(error),
    code: typeof e.Code === 'string' ? e.Code : typeof e.code === 'string' ? e.code : undefined,
    status,
  };
}

/** `Server responded with status: 503` (the SDK's HTTP credential providers). */
function statusInMessage(message: string): number | undefined {
  const m = /status(?: code)?:? (\d{3})\b/i.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** A short, secret-free description of the cloud's error for messages: `Name: message`. */
export function describeAwsError(error: unknown): string {
  const { name, message } = fields(error);
  const text = message.replace(SECRET_SHAPED, '[redacted]').slice(0, 300);
  return `${name}: ${text}`;
}

/**
 * Classifies a failure of an AWS credentials provider (`@aws-sdk/credential-providers`, any
 * `AwsCredentialIdentityProvider`) as transient or permanent, with a stable code. The original
 * error is the `cause`.
 */
/**
 * The error itself, or — when its message holds secret-shaped text — a copy with the same name,
 * code and metadata and a redacted message, so that no secret reaches a log through `cause`.
 */
function safeCause(error: unknown): unknown {
  if (!(error instanceof Error) || !new RegExp(SECRET_SHAPED.source).test(error.message)) return error;
  const copy = new Error(error.message.replace(SECRET_SHAPED, '[redacted]'));
  copy.name = error.name;
  for (const key of ['code', 'Code', '$metadata', 'statusCode', 'tryNextLink'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) Object.assign(copy, { [key]: value });
  }
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

export function toAwsIdentityProviderError(error: unknown): IdentityProviderError {
  if (IdentityProviderError.isInstance(error)) return error;
  const { name, message, code, status: ownStatus } = fields(error);
  const status = ownStatus ?? statusInMessage(message);
  const make = (errorCode: string, isRetryable: boolean, what: string) =>
    new IdentityProviderError(`AWS credentials ${what} (${describeAwsError(error)})`, {
      code: errorCode,
      isRetryable,
      status,
      cause: safeCause(error),
    });
  const words = `${name} ${code ?? ''} ${message}`;
  if (name === 'AbortError' || (error as { name?: unknown } | null)?.name === 'AbortError') {
    return make(AwsIamErrorCode.REQUEST_ABORTED, true, 'request aborted');
  }
  if (THROTTLING.has(name) || (code !== undefined && THROTTLING.has(code)) || status === 429) {
    return make(AwsIamErrorCode.CREDENTIALS_THROTTLED, true, 'request throttled');
  }
  if (REJECTED.has(name) || (code !== undefined && REJECTED.has(code))) {
    return make(AwsIamErrorCode.CREDENTIALS_REJECTED, false, 'refused');
  }
  if (status !== undefined && (status >= 500 || status === 408)) {
    return make(AwsIamErrorCode.CREDENTIALS_UNAVAILABLE, true, 'source unavailable');
  }
  if (status !== undefined && status >= 400) {
    return make(AwsIamErrorCode.CREDENTIALS_REJECTED, false, 'refused');
  }
  if (/Could not load credentials from any providers/i.test(message)) {
    return make(AwsIamErrorCode.NO_CREDENTIALS, false, 'not found');
  }
  const networkCode = [...NETWORK_CODES].find((c) => words.includes(c));
  if (networkCode !== undefined || /timed? ?out|socket hang up|network/i.test(message)) {
    return make(AwsIamErrorCode.CREDENTIALS_UNAVAILABLE, true, 'source unavailable');
  }
  return make(AwsIamErrorCode.UNKNOWN, true, 'request failed');
}
