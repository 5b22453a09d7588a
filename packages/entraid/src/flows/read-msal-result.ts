import type { AuthenticationResult } from '@azure/msal-node';
import type { TokenFields } from '../identity-providers/entra-identity-provider';

/** Token string, expiry and renewal hint (epoch ms) of an MSAL result. */
export function readMsalResult(result: AuthenticationResult): TokenFields {
  const { expiresOn, refreshOn } = result;
  return {
    accessToken: result.accessToken,
    expiresAtMs: expiresOn instanceof Date ? expiresOn.getTime() : undefined,
    refreshAtMs: refreshOn instanceof Date ? refreshOn.getTime() : undefined,
  };
}
