import type { Directory } from './directory';
import { EntraProtocolError } from './entra-error-response';
import type { ResourceConfig } from './options';

/** OpenID Connect scopes: they ask for an ID token / refresh token, not for an API. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/** A parsed `scope` parameter: the one API it names, and the rest. */
export interface ParsedScope {
  resource: ResourceConfig;
  /** The resource as the scope wrote it: `aud` of v1 tokens. */
  audience: string;
  /** Permissions asked of the resource (`.default` for the default scope). */
  permissions: string[];
  /** The OIDC scopes asked for. */
  oidc: string[];
}

function missingResource(tenantId: string, prefix: string): EntraProtocolError {
  return new EntraProtocolError(
    'invalid_resource',
    500011,
    `The resource principal named ${prefix} was not found in the tenant named ${tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  );
}

/** Splits a `scope` into one resource and OIDC scopes; Entra issues a token for one resource at a time. */
export function parseScope(
  directory: Directory,
  tenantId: string,
  scope: string | null,
  requireDefault: boolean,
): ParsedScope {
  if (!scope) {
    throw EntraProtocolError.missingParameter('scope');
  }
  const names = scope.split(/\s+/).filter(Boolean);
  const oidc = names.filter((name) => OIDC_SCOPES.has(name));
  const apiScopes = names.filter((name) => !OIDC_SCOPES.has(name));
  if (apiScopes.length === 0) {
    throw new EntraProtocolError(
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope '${scope}' names no resource.`,
    );
  }
  let resource: ResourceConfig | undefined;
  let audience: string | undefined;
  const permissions: string[] = [];
  for (const name of apiScopes) {
    const found = directory.resourceForScope(name);
    if (!found) throw missingResource(tenantId, name.replace(/\/[^/]*$/, '') || name);
    if (requireDefault && found.permission !== '.default') {
      throw new EntraProtocolError(
        'invalid_scope',
        1002012,
        `The provided value for scope ${name} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    if (resource && resource !== found.resource) {
      throw new EntraProtocolError(
        'invalid_scope',
        28000,
        `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`,
      );
    }
    resource = found.resource;
    audience ??= found.audience;
    permissions.push(found.permission || '.default');
  }
  return { resource: resource!, audience: audience!, permissions, oidc };
}

/** The `scp` claim of a user token: `.default` stands for the consented permission. */
export function scpClaim(permissions: string[]): string {
  return permissions
    .map((permission) => (permission === '.default' ? 'user_impersonation' : permission))
    .join(' ');
}
