/**
 * The parts of @azure/core-auth's TokenCredential this package uses, declared structurally so
 * @azure/identity stays an optional peer: DefaultAzureCredential, WorkloadIdentityCredential,
 * ManagedIdentityCredential, ClientSecretCredential … all fit.
 */
export interface AccessToken {
  /** The access token (a JWT for Entra ID). */
  token: string;
  /** Expiry, epoch milliseconds. */
  expiresOnTimestamp: number;
  /** When the issuer suggests refreshing, epoch milliseconds. */
  refreshAfterTimestamp?: number;
  tokenType?: string;
}

/** Options of `TokenCredential.getToken`; only `abortSignal` is set by this package. */
export interface GetTokenOptions {
  abortSignal?: AbortSignal;
  tenantId?: string;
  claims?: string;
  enableCae?: boolean;
  [option: string]: unknown;
}

export interface TokenCredential {
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
}
