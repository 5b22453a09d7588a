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
