import type { AuthenticationResult } from '@azure/msal-node';
import type { TokenFields } from '../identity-providers/entra-identity-provider';

/** Token string and expiry (epoch ms) of an MSAL result. */
export function readMsalResult(result: AuthenticationResult): TokenFields {
  const expiresOn = result.expiresOn;
  return {
    accessToken: result.accessToken,
    expiresAtMs: expiresOn instanceof Date ? expiresOn.getTime() : undefined,
  };
}

/** True when MSAL recorded the response in its throttle cache and would now fail locally (429, 5xx, Retry-After). */
export function msalWillThrottle(
  lastErrorResponse: { status: number; retryAfterMs?: number } | undefined,
): boolean {
  if (!lastErrorResponse) return false;
  const { status, retryAfterMs } = lastErrorResponse;
  return status === 429 || (status >= 500 && status < 600) || retryAfterMs !== undefined;
}
