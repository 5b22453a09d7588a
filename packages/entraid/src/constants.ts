/** Default OAuth scope for Azure Cache for Redis / Azure Managed Redis (client credentials, PKCE, TokenCredential). */
export const REDIS_SCOPE_DEFAULT = 'https://redis.azure.com/.default';

/** Default managed-identity resource for Azure Cache for Redis / Azure Managed Redis. */
export const REDIS_SCOPE = 'https://redis.azure.com';

/** Entra ID login hosts of the Azure clouds, as `AzureAuthorityHosts` in @azure/identity. */
export const AZURE_AUTHORITY_HOSTS = {
  /** Azure public cloud. */
  AzurePublicCloud: 'https://login.microsoftonline.com',
  /** Azure operated by 21Vianet (China). */
  AzureChina: 'https://login.chinacloudapi.cn',
  /** Azure US Government. */
  AzureGovernment: 'https://login.microsoftonline.us',
} as const;

/** Name of an Azure cloud whose login host is known (see {@link AZURE_AUTHORITY_HOSTS}). */
export type AzureCloud = keyof typeof AZURE_AUTHORITY_HOSTS;
