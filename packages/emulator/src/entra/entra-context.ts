import type { ClientAuthenticator } from './client-authenticator';
import type { Directory, RegisteredApp } from './directory';
import { EntraProtocolError } from './entra-error-response';
import type { AuthorizationCodeGrant, HandleStore, RefreshTokenGrant } from './grant-stores';
import type { ManagedIdentityTokenCache } from './managed-identity-token-cache';
import type { AccessTokenVersion } from './options';
import type { TokenIssuer } from './token-issuer';

/** Resolved global settings. */
export interface EntraSettings {
  tokenLifetimeSec: number;
  accessTokenVersion: AccessTokenVersion;
  idTokenLifetimeSec: number;
  signedInUser: string | undefined;
  identityHeader: string;
}

/** Everything the endpoints share. */
export interface EntraContext {
  directory: Directory;
  issuer: TokenIssuer;
  authenticator: ClientAuthenticator;
  codes: HandleStore<AuthorizationCodeGrant>;
  refreshTokens: HandleStore<RefreshTokenGrant>;
  managedIdentityTokens: ManagedIdentityTokenCache;
  settings: EntraSettings;
  now: () => number;
}

/** Authorities that name no tenant: the user's sign-in decides it (`consumers` is not emulated). */
export const MULTI_TENANT_SEGMENTS: ReadonlySet<string> = new Set(['common', 'organizations']);

/** Whether a path segment is `common` or `organizations` (Entra compares them case-insensitively). */
export function isMultiTenantSegment(tenantSegment: string): boolean {
  return MULTI_TENANT_SEGMENTS.has(tenantSegment.toLowerCase());
}

/** The tenant named by a path segment, or AADSTS90002. */
export function requireTenant(context: EntraContext, tenantSegment: string): string {
  if (context.directory.hasTenant(tenantSegment)) return tenantSegment;
  throw new EntraProtocolError(
    'invalid_request',
    90002,
    `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  );
}

/** The app registered in the tenant, or AADSTS700016. */
export function requireApp(
  context: EntraContext,
  tenantId: string,
  clientId: string | null | undefined,
): RegisteredApp {
  if (!clientId) {
    throw EntraProtocolError.missingParameter('client_id');
  }
  const app = context.directory.app(clientId);
  if (!app || app.tenantId !== tenantId) {
    throw new EntraProtocolError(
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  }
  return app;
}

/**
 * The app named on a `/common` or `/organizations` request: it must be multi-tenant
 * (`signInAudience: 'AzureADMultipleOrgs'`), or AADSTS50194 as on Entra.
 */
export function requireMultiTenantApp(
  context: EntraContext,
  tenantSegment: string,
  clientId: string | null | undefined,
): RegisteredApp {
  if (!clientId) throw EntraProtocolError.missingParameter('client_id');
  const app = context.directory.app(clientId);
  if (!app) {
    throw new EntraProtocolError(
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenantSegment}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
  }
  if (app.signInAudience !== 'AzureADMultipleOrgs') {
    throw new EntraProtocolError(
      'invalid_request',
      50194,
      `Application '${clientId}' is not configured as a multi-tenant application. Usage of the /${tenantSegment} endpoint is not supported for such applications. Use a tenant-specific endpoint or configure the application to be multi-tenant.`,
    );
  }
  return app;
}
