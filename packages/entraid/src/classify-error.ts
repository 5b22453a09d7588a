import { AuthxError, IdentityProviderError } from '@authx/token-core';
import { EntraIdErrorCode } from './error-codes';
import type { IdpRequestContext } from './network/request-context';

/** What the classifier knows besides the error itself. */
export interface ClassifyOptions {
  /** Flow name used in messages, e.g. 'client credentials'. */
  flow: string;
  /**
   * True for managed identity: its endpoints answer warm-up, propagation and throttling with
   * 404/408/410/429/5xx (transient); any other 4xx is a configuration mistake (permanent).
   */
  managedIdentity?: boolean;
  /** Last non-2xx response of the failed attempt (status, Retry-After), recorded by the network client. */
  lastErrorResponse?: IdpRequestContext['lastErrorResponse'];
  /** Removes secrets and tokens from text that goes into a message. */
  redact?: (text: string) => string;
}

interface Verdict {
  code: EntraIdErrorCode;
  isRetryable: boolean;
  status?: number;
  retryAfterMs?: number;
  summary: string;
}

// OAuth error codes that no retry can fix.
const PERMANENT_OAUTH_CODES: Record<string, EntraIdErrorCode> = {
  invalid_client: EntraIdErrorCode.INVALID_CLIENT,
  unauthorized_client: EntraIdErrorCode.INVALID_CLIENT,
  invalid_grant: EntraIdErrorCode.INVALID_GRANT,
  interaction_required: EntraIdErrorCode.INVALID_GRANT,
  consent_required: EntraIdErrorCode.INVALID_GRANT,
  login_required: EntraIdErrorCode.INVALID_GRANT,
  invalid_scope: EntraIdErrorCode.INVALID_SCOPE,
  invalid_resource: EntraIdErrorCode.INVALID_SCOPE,
  invalid_request: EntraIdErrorCode.REQUEST_REJECTED,
  unsupported_grant_type: EntraIdErrorCode.REQUEST_REJECTED,
  access_denied: EntraIdErrorCode.REQUEST_REJECTED,
};

// MSAL client-side error codes that describe a transient condition.
const TRANSIENT_MSAL_CODES: Record<string, EntraIdErrorCode> = {
  network_error: EntraIdErrorCode.NETWORK_ERROR,
  endpoints_resolution_error: EntraIdErrorCode.DISCOVERY_FAILED,
  openid_config_error: EntraIdErrorCode.DISCOVERY_FAILED,
  token_parsing_error: EntraIdErrorCode.SERVER_UNAVAILABLE,
  null_or_empty_token: EntraIdErrorCode.INVALID_TOKEN_RESPONSE,
};

const MAX_DETAIL_CHARS = 400;

// Each classified error → what the identity provider really threw, for a user's retry.isRetryable.
const originals = new WeakMap<object, unknown>();

// The statuses MSAL's own managed-identity retry policies retry (IMDS adds 410 while it upgrades).
const MI_TRANSIENT_STATUSES = new Set([404, 408, 410, 429]);

// The one MSAL ManagedIdentityError that is not a configuration problem: the endpoint timed out.
const MI_NETWORK_UNAVAILABLE = 'network_unavailable';

/**
 * Turns whatever an MSAL call or a TokenCredential threw into an IdentityProviderError with a stable
 * code, `isRetryable`, the HTTP status and a Retry-After hint when known, and the original as `cause`.
 * Errors are recognised by `name` and fields, not `instanceof`: msal-node bundles its own copy of
 * msal-common and @azure/identity brings another msal-node.
 */
export function toIdentityProviderError(error: unknown, options: ClassifyOptions): AuthxError {
  if (error instanceof AuthxError || AuthxError.isInstance(error)) return error as AuthxError;
  const verdict = classify(error, options);
  const detail = describe(error, options.redact);
  const classified = new IdentityProviderError(
    `Entra ID ${options.flow}: ${verdict.summary}${detail ? ` — ${detail}` : ''}`,
    {
      code: verdict.code,
      isRetryable: verdict.isRetryable,
      retryAfterMs: verdict.retryAfterMs,
      status: verdict.status,
      cause: error,
    },
  );
  originals.set(classified, error);
  return classified;
}

/**
 * What the identity provider (MSAL, a TokenCredential) really threw, when `error` is the
 * IdentityProviderError {@link toIdentityProviderError} made of it; otherwise `error` itself.
 */
export function originalError(error: unknown): unknown {
  return typeof error === 'object' && error !== null && originals.has(error) ? originals.get(error) : error;
}

function classify(error: unknown, options: ClassifyOptions): Verdict {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const name = typeof e.name === 'string' ? e.name : '';
  const errorCode = typeof e.errorCode === 'string' ? e.errorCode : '';
  const observed = options.lastErrorResponse;
  const status = numberOr(e.status) ?? numberOr(e.statusCode) ?? numberOr(e.httpStatus) ?? observed?.status;
  const retryAfterMs = observed?.retryAfterMs;

  switch (name) {
    case 'ClientConfigurationError':
      return {
        code: EntraIdErrorCode.CONFIGURATION_ERROR,
        isRetryable: false,
        summary: 'MSAL rejected the configuration',
      };
    case 'InteractionRequiredAuthError':
      return {
        code: EntraIdErrorCode.INVALID_GRANT,
        isRetryable: false,
        status,
        summary: 'the grant was rejected; the user must sign in again',
      };
    case 'ManagedIdentityError':
      // MSAL raises it before any request (source, id type, environment URL…), except for a timeout.
      if (errorCode === MI_NETWORK_UNAVAILABLE) {
        return {
          code: EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE,
          isRetryable: true,
          summary: summaryFor(EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE),
        };
      }
      return {
        code: EntraIdErrorCode.CONFIGURATION_ERROR,
        isRetryable: false,
        summary: `MSAL refused the managed identity configuration (${errorCode || 'unknown'})`,
      };
    case 'CredentialUnavailableError':
      // @azure/identity wraps managed-identity and discovery failures here, with the MSAL error as cause;
      // a managed-identity failure is classified by the same rules as our own managed-identity flow.
      if (e.cause !== undefined) {
        const message = typeof e.message === 'string' ? e.message : '';
        const managedIdentity = options.managedIdentity || message.startsWith('ManagedIdentityCredential');
        return classify(e.cause, { ...options, managedIdentity });
      }
      return {
        code: EntraIdErrorCode.CREDENTIAL_UNAVAILABLE,
        isRetryable: true,
        retryAfterMs,
        summary: 'no credential is available yet',
      };
    case 'AggregateAuthenticationError': {
      const inner = Array.isArray(e.errors) ? e.errors.map((x) => classify(x, options)) : [];
      const anyRetryable = inner.length === 0 || inner.some((v) => v.isRetryable);
      return {
        code: EntraIdErrorCode.CREDENTIAL_UNAVAILABLE,
        isRetryable: anyRetryable,
        summary: 'every credential in the chain failed',
      };
    }
    case 'AuthenticationError': {
      const response = e.errorResponse as { error?: unknown } | undefined;
      const oauthCode = typeof response?.error === 'string' ? response.error : '';
      return byStatusAndCode(status, oauthCode, retryAfterMs, options);
    }
    case 'AuthenticationRequiredError': {
      if (e.cause !== undefined) return classify(e.cause, options);
      // @azure/identity 4.13 drops the MSAL error but keeps its message, which starts with its errorCode.
      const message = typeof e.message === 'string' ? e.message : '';
      const leadingCode = /^([a-z_]+):/.exec(message)?.[1] ?? '';
      return byStatusAndCode(status, leadingCode, retryAfterMs, options);
    }
    case 'AbortError':
      return {
        code: EntraIdErrorCode.REQUEST_ABORTED,
        isRetryable: true,
        summary: 'the request was aborted',
      };
  }

  if (
    errorCode ||
    name === 'ServerError' ||
    name === 'AuthError' ||
    name === 'ClientAuthError' ||
    name === 'NetworkError'
  ) {
    if (TRANSIENT_MSAL_CODES[errorCode]) {
      const code = TRANSIENT_MSAL_CODES[errorCode];
      const mi = options.managedIdentity && code === EntraIdErrorCode.NETWORK_ERROR;
      return {
        code: mi ? EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE : code,
        isRetryable: true,
        status,
        retryAfterMs,
        summary: summaryFor(code),
      };
    }
    if (name === 'ServerError' && status === undefined) {
      // MSAL's throttle cache answers locally (no request sent) with the remembered error codes.
      if (!PERMANENT_OAUTH_CODES[errorCode]) {
        return {
          code: EntraIdErrorCode.THROTTLED,
          isRetryable: true,
          retryAfterMs,
          summary: 'MSAL is throttling requests after a 429/5xx answer',
        };
      }
    }
    if (name === 'ClientAuthError' && !PERMANENT_OAUTH_CODES[errorCode]) {
      return {
        code: EntraIdErrorCode.CONFIGURATION_ERROR,
        isRetryable: false,
        status,
        summary: `MSAL refused the request (${errorCode})`,
      };
    }
    return byStatusAndCode(status, errorCode, retryAfterMs, options);
  }

  return {
    code: EntraIdErrorCode.UNKNOWN,
    isRetryable: true,
    status,
    retryAfterMs,
    summary: 'the token request failed',
  };
}

function byStatusAndCode(
  status: number | undefined,
  oauthCode: string,
  retryAfterMs: number | undefined,
  options: ClassifyOptions,
): Verdict {
  if (options.managedIdentity) return byManagedIdentityStatus(status, oauthCode, retryAfterMs);
  if (status === 429)
    return {
      code: EntraIdErrorCode.THROTTLED,
      isRetryable: true,
      status,
      retryAfterMs,
      summary: summaryFor(EntraIdErrorCode.THROTTLED, status),
    };
  if (status === 408 || (status !== undefined && status >= 500)) {
    return {
      code: EntraIdErrorCode.SERVER_UNAVAILABLE,
      isRetryable: true,
      status,
      retryAfterMs,
      summary: summaryFor(EntraIdErrorCode.SERVER_UNAVAILABLE, status),
    };
  }
  const permanent = PERMANENT_OAUTH_CODES[oauthCode];
  if (permanent)
    return {
      code: permanent,
      isRetryable: false,
      status,
      summary: `the identity provider answered ${oauthCode}${status ? ` (HTTP ${status})` : ''}`,
    };
  if (status !== undefined && status >= 400) {
    return {
      code: EntraIdErrorCode.REQUEST_REJECTED,
      isRetryable: false,
      status,
      summary: `the identity provider rejected the request (HTTP ${status}${oauthCode ? ` ${oauthCode}` : ''})`,
    };
  }
  return {
    code: EntraIdErrorCode.UNKNOWN,
    isRetryable: true,
    status,
    retryAfterMs,
    summary: 'the token request failed',
  };
}

/**
 * Managed identity answers by source: App Service puts no OAuth code in its error body (errorCode
 * ""), IMDS does (`invalid_request`, …). The status decides, so one mistake (an unknown identity:
 * 400) is permanent from every source; the body's code matters only when there is no status.
 */
function byManagedIdentityStatus(
  status: number | undefined,
  oauthCode: string,
  retryAfterMs: number | undefined,
): Verdict {
  const transient =
    status === undefined
      ? !PERMANENT_OAUTH_CODES[oauthCode]
      : MI_TRANSIENT_STATUSES.has(status) || status >= 500 || status < 400;
  if (transient) {
    return {
      code: EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE,
      isRetryable: true,
      status,
      retryAfterMs,
      summary: summaryFor(EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE, status),
    };
  }
  const detail = [status === undefined ? '' : `HTTP ${status}`, oauthCode].filter(Boolean).join(' ');
  return {
    code: PERMANENT_OAUTH_CODES[oauthCode] ?? EntraIdErrorCode.REQUEST_REJECTED,
    isRetryable: false,
    status,
    summary: `the managed identity endpoint rejected the request (${detail})`,
  };
}

function summaryFor(code: EntraIdErrorCode, status?: number): string {
  const http = status ? ` (HTTP ${status})` : '';
  switch (code) {
    case EntraIdErrorCode.NETWORK_ERROR:
      return 'the identity provider could not be reached';
    case EntraIdErrorCode.DISCOVERY_FAILED:
      return 'the authority metadata could not be resolved';
    case EntraIdErrorCode.THROTTLED:
      return `the identity provider is throttling requests${http}`;
    case EntraIdErrorCode.SERVER_UNAVAILABLE:
      return `the identity provider is unavailable${http}`;
    case EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE:
      return `the managed identity endpoint failed${http}`;
    case EntraIdErrorCode.INVALID_TOKEN_RESPONSE:
      return 'the identity provider returned no token';
    default:
      return `the token request failed${http}`;
  }
}

function describe(error: unknown, redact: ((text: string) => string) | undefined): string {
  if (!(error instanceof Error) && (typeof error !== 'object' || error === null))
    return typeof error === 'string' ? clip(error, redact) : '';
  const e = error as { name?: unknown; message?: unknown };
  const text = `${typeof e.name === 'string' ? e.name : 'Error'}: ${typeof e.message === 'string' ? e.message : ''}`;
  return clip(text, redact);
}

function clip(text: string, redact: ((text: string) => string) | undefined): string {
  const safe = (redact ?? ((t: string) => t))(text.replace(/\s+/g, ' ').trim());
  return safe.length > MAX_DETAIL_CHARS ? `${safe.slice(0, MAX_DETAIL_CHARS)}…` : safe;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
