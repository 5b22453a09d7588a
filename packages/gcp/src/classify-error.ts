import { IdentityProviderError } from '@authx/token-core';
import { GcpIamErrorCode } from './error-codes';

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
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const REJECTED_OAUTH_ERRORS = new Set([
  'invalid_grant',
  'unauthorized_client',
  'invalid_client',
  'access_denied',
]);
// Access tokens (ya29.…), keys and other secret-shaped runs never reach a message.
const SECRET_SHAPED = /ya29\.[A-Za-z0-9._-]+|[A-Za-z0-9+/=_-]{40,}/g;

function fields(error: unknown): {
  name: string;
  message: string;
  chain: string;
  code?: string;
  status?: number;
  oauthError?: string;
} {
  const e = (error ?? {}) as Record<string, unknown>;
  const response = e.response as { status?: unknown; data?: unknown } | undefined;
  const status =
    typeof response?.status === 'number'
      ? response.status
      : typeof e.status === 'number'
        ? e.status
        : undefined;
  const data = response?.data as { error?: unknown } | undefined;
  // Native fetch wraps the socket error: GaxiosError → TypeError('fetch failed') → Error { code: 'ECONNRESET' }.
  let code: string | undefined;
  const messages: string[] = [];
  let link: Record<string, unknown> | undefined = e;
  for (let depth = 0; link && depth < 5; depth++) {
    if (code === undefined && typeof link.code === 'string') code = link.code;
    if (typeof link.message === 'string') messages.push(link.message);
    link =
      typeof link.cause === 'object' && link.cause !== null
        ? (link.cause as Record<string, unknown>)
        : undefined;
  }
  return {
    name: typeof e.name === 'string' ? e.name : typeof error,
    message: typeof e.message === 'string' ? e.message : String(error),
    chain: messages.join(' | '),
    code,
    status,
    oauthError: typeof data?.error === 'string' ? data.error : undefined,
  };
}

/** A short, secret-free description of the library's error: `Name: message`. */
export function describeGcpError(error: unknown): string {
  const { name, message } = fields(error);
  return `${name}: ${message.replace(SECRET_SHAPED, '[redacted]').slice(0, 300)}`;
}

function safeCause(error: unknown): unknown {
  if (!(error instanceof Error) || !new RegExp(SECRET_SHAPED.source).test(error.message)) return error;
  const copy = new Error(error.message.replace(SECRET_SHAPED, '[redacted]'));
  copy.name = error.name;
  const { code, status } = fields(error);
  if (code !== undefined) Object.assign(copy, { code });
  if (status !== undefined) Object.assign(copy, { status });
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

/**
 * Classifies a failure of google-auth-library (GaxiosError from the metadata server or the token
 * endpoint, ADC errors) as transient or permanent, with a stable code; the error is the `cause`.
 */
export function toGcpIdentityProviderError(error: unknown): IdentityProviderError {
  if (IdentityProviderError.isInstance(error)) return error;
  const { name, message, chain, code, status, oauthError } = fields(error);
  const make = (errorCode: string, isRetryable: boolean, what: string) =>
    new IdentityProviderError(`Google access token ${what} (${describeGcpError(error)})`, {
      code: errorCode,
      isRetryable,
      status,
      cause: safeCause(error),
    });
  if (name === 'AbortError') return make(GcpIamErrorCode.REQUEST_ABORTED, true, 'request aborted');
  if (oauthError !== undefined && REJECTED_OAUTH_ERRORS.has(oauthError)) {
    return make(GcpIamErrorCode.CREDENTIALS_REJECTED, false, 'refused');
  }
  if (status === 429) return make(GcpIamErrorCode.THROTTLED, true, 'request throttled');
  if (status !== undefined && (status >= 500 || status === 408)) {
    return make(GcpIamErrorCode.METADATA_UNAVAILABLE, true, 'source unavailable');
  }
  if (status !== undefined && status >= 400)
    return make(GcpIamErrorCode.CREDENTIALS_REJECTED, false, 'refused');
  if (/Could not load the default credentials/i.test(message)) {
    return make(GcpIamErrorCode.NO_CREDENTIALS, false, 'not available: no Application Default Credentials');
  }
  if (
    (code !== undefined && NETWORK_CODES.has(code)) ||
    /ECONN|ETIMEDOUT|socket hang up|network|timeout|fetch failed/i.test(chain)
  ) {
    return make(GcpIamErrorCode.METADATA_UNAVAILABLE, true, 'source unavailable');
  }
  return make(GcpIamErrorCode.UNKNOWN, true, 'request failed');
}
