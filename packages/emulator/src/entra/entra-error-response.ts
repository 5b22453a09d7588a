import { randomUUID } from 'node:crypto';

/** OAuth error codes the emulator answers with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'invalid_resource'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'temporarily_unavailable'
  | 'interaction_required';

/**
 * A protocol failure a handler raises; the endpoint turns it into an Entra-shaped body.
 * Descriptions must never contain a secret or a token: they name identifiers only.
 */
export class EntraProtocolError extends Error {
  readonly error: OAuthErrorCode;
  readonly aadsts: number;
  readonly status: number;
  readonly suberror: string | undefined;
  constructor(
    error: OAuthErrorCode,
    aadsts: number,
    description: string,
    status?: number,
    suberror?: string,
  ) {
    super(description);
    this.name = 'EntraProtocolError';
    this.error = error;
    this.aadsts = aadsts;
    this.status = status ?? (error === 'invalid_client' ? 401 : 400);
    this.suberror = suberror;
  }

  /** AADSTS900144: a required request parameter is missing (`name` may carry its expected value). */
  static missingParameter(name: string): EntraProtocolError {
    return new EntraProtocolError(
      'invalid_request',
      900144,
      `The request body must contain the following parameter: '${name}'.`,
    );
  }
}

/** An Entra error body: `error`, `error_description` (AADSTS…), `error_codes`, `timestamp`, ids. */
export interface EntraErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
  error_uri: string;
  suberror?: string;
}

/** Entra's timestamp format: `2026-11-20 10:00:00Z`. */
export function entraTimestamp(nowMs: number): string {
  return new Date(nowMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** Builds the body Entra sends for a failure, with the trace/correlation footer in the description. */
export function entraErrorBody(
  failure: { error: string; aadsts: number; description: string; suberror?: string | undefined },
  context: { nowMs: number; correlationId?: string | undefined; origin: string },
): EntraErrorBody {
  const traceId = randomUUID();
  const correlationId = context.correlationId ?? randomUUID();
  const timestamp = entraTimestamp(context.nowMs);
  const body: EntraErrorBody = {
    error: failure.error,
    error_description: `AADSTS${failure.aadsts}: ${failure.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [failure.aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `${context.origin}/error?code=${failure.aadsts}`,
  };
  if (failure.suberror) body.suberror = failure.suberror;
  return body;
}
