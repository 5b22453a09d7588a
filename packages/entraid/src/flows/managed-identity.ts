import {
  type AuthenticationResult,
  ManagedIdentityApplication,
  type ManagedIdentityIdParams,
} from '@azure/msal-node';
import { REDIS_SCOPE } from '../constants';
import { EntraIdentityProvider } from '../identity-providers/entra-identity-provider';
import { invalidOption } from '../invalid-option';
import { buildSystemOptions } from '../msal-config';
import type { MsalProviderOptions } from '../options';
import { createRedactor } from '../redact';
import { optionalString, scopesOption } from '../validate';
import { readMsalResult } from './read-msal-result';

/** Options of the system-assigned managed identity flow. */
export interface ManagedIdentityOptions extends MsalProviderOptions {
  /** Accepted for @redis/entraid compatibility and ignored: a managed identity needs no app registration. */
  clientId?: string;
  /** Accepted for @redis/entraid compatibility and ignored: the identity endpoint is local. */
  authorityConfig?: unknown;
}

/** Options of the user-assigned managed identity flow: exactly one of the three identifiers. */
export interface UserAssignedManagedIdentityOptions extends ManagedIdentityOptions {
  /** Client id of the user-assigned identity. */
  userAssignedClientId?: string;
  /** Object (principal) id of the user-assigned identity. */
  userAssignedObjectId?: string;
  /** Full Azure resource id of the user-assigned identity (`/subscriptions/…/userAssignedIdentities/<name>`). */
  userAssignedResourceId?: string;
}

const USER_ASSIGNED_IDS = ['userAssignedClientId', 'userAssignedObjectId', 'userAssignedResourceId'] as const;

/** Reads exactly one user-assigned identifier. */
export function userAssignedIdParams(options: UserAssignedManagedIdentityOptions): ManagedIdentityIdParams {
  const given = USER_ASSIGNED_IDS.filter((key) => options[key] !== undefined);
  if (given.length !== 1) {
    throw invalidOption(
      USER_ASSIGNED_IDS.join(' | '),
      'exactly one of userAssignedClientId, userAssignedObjectId or userAssignedResourceId',
      given.length === 0 ? undefined : given.join(', '),
    );
  }
  const key = given[0];
  return { [key]: optionalString(key, options[key]) };
}

/**
 * The managed-identity resource: the first scope without `/.default`. A managed identity token is
 * issued for one resource; further scopes are ignored, as @redis/entraid does.
 */
export function managedIdentityResource(scopes: unknown): string {
  const [first] = scopesOption('scopes', scopes, [REDIS_SCOPE]);
  return first.replace(/\/\.default$/, '');
}

/**
 * Managed identity (App Service, IMDS, Arc, Cloud Shell, Service Fabric, Machine Learning — MSAL
 * picks the source from the environment). Every request bypasses MSAL's process-wide cache.
 */
export function createManagedIdentityIdentityProvider(
  options: ManagedIdentityOptions,
  managedIdentityIdParams: ManagedIdentityIdParams | undefined,
  requireOid: boolean,
): EntraIdentityProvider<AuthenticationResult> {
  const resource = managedIdentityResource(options.scopes);
  const redact = createRedactor([]);
  const app = new ManagedIdentityApplication({
    ...(managedIdentityIdParams ? { managedIdentityIdParams } : {}),
    system: buildSystemOptions(options, redact, { managedIdentity: true }),
  });
  return new EntraIdentityProvider<AuthenticationResult>({
    flow: managedIdentityIdParams ? 'user-assigned managed identity' : 'system-assigned managed identity',
    managedIdentity: true,
    acquire: () => app.acquireToken({ resource, forceRefresh: true }),
    read: readMsalResult,
    requireOid,
    redact,
  });
}
