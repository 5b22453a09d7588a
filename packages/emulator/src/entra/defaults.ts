import type { ResourceConfig } from './options';

/** Tenant of the default configuration. */
export const DEFAULT_TENANT_ID = '11111111-1111-4111-8111-111111111111';
/** Client id of the default app (confidential with {@link DEFAULT_CLIENT_SECRET}, and public). */
export const DEFAULT_CLIENT_ID = '22222222-2222-4222-8222-222222222222';
/** Secret of the default app. Not a secret: it is printed in the docs. */
export const DEFAULT_CLIENT_SECRET = 'authx-emulator-client-secret';
/** Redirect URI registered on the default app (any port, as for native apps). */
export const DEFAULT_REDIRECT_URI = 'http://localhost/redirect';
/** Object id of the default user `alice@authx.example`. */
export const DEFAULT_USER_OID = '33333333-3333-4333-8333-333333333333';
/** UPN of the default user. */
export const DEFAULT_USER_UPN = 'alice@authx.example';
/** Client id of the default system-assigned managed identity. */
export const DEFAULT_SYSTEM_MI_CLIENT_ID = '44444444-4444-4444-8444-444444444444';
/** Object id of the default system-assigned managed identity. */
export const DEFAULT_SYSTEM_MI_OBJECT_ID = '55555555-5555-4555-8555-555555555555';
/** Client id of the default user-assigned managed identity. */
export const DEFAULT_USER_MI_CLIENT_ID = '66666666-6666-4666-8666-666666666666';
/** Object id of the default user-assigned managed identity. */
export const DEFAULT_USER_MI_OBJECT_ID = '77777777-7777-4777-8777-777777777777';
/** ARM resource id of the default user-assigned managed identity. */
export const DEFAULT_USER_MI_RESOURCE_ID =
  '/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/authx-emulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/authx-user-mi';
/** Subject of the default app's federated credential (a Kubernetes service account). */
export const DEFAULT_FEDERATED_SUBJECT = 'system:serviceaccount:default:workload';
/** Audience Entra expects in federated assertions. */
export const FEDERATED_AUDIENCE = 'api://AzureADTokenExchange';

/** Azure Cache for Redis / Azure Managed Redis as an Entra resource. */
export const REDIS_RESOURCE: ResourceConfig = {
  identifierUri: 'https://redis.azure.com',
  appId: 'acca5fbb-b7e4-4009-81f1-37e38fd66d78',
};
