import { timingSafeEqual } from 'node:crypto';
import type { RegisteredManagedIdentity } from './directory';
import type { EntraContext } from './entra-context';
import { entraTimestamp } from './entra-error-response';

/** Which Azure host the request imitates. */
export type ManagedIdentitySource = 'app-service' | 'imds';

/** Path of the App Service endpoint (`IDENTITY_ENDPOINT`). */
export const APP_SERVICE_PATH = '/msi/token';
/** Path of the IMDS endpoint under `AZURE_POD_IDENTITY_AUTHORITY_HOST`. */
export const IMDS_PATH = '/metadata/identity/oauth2/token';

type Selector = 'clientId' | 'objectId' | 'resourceId';

/** What each source accepts: its API version and the query parameters naming a user-assigned identity. */
const SOURCES: Record<ManagedIdentitySource, { apiVersion: string; selectors: Record<string, Selector> }> = {
  // App Service: `principal_id` is documented as an alias of `object_id`.
  'app-service': {
    apiVersion: '2019-08-01',
    selectors: {
      client_id: 'clientId',
      object_id: 'objectId',
      principal_id: 'objectId',
      mi_res_id: 'resourceId',
    },
  },
  imds: {
    apiVersion: '2018-02-01',
    selectors: { client_id: 'clientId', object_id: 'objectId', msi_res_id: 'resourceId' },
  },
};

/** Identity parameters of the other source (and the 2017 API's `clientid`): a request mixing them up is refused. */
const FOREIGN_SELECTORS: Record<ManagedIdentitySource, readonly string[]> = {
  'app-service': ['msi_res_id', 'clientid'],
  imds: ['mi_res_id', 'principal_id', 'clientid'],
};

export interface ManagedIdentityResponse {
  status: number;
  body: Record<string, unknown>;
  /** Identity the request named (client id, object id or resource id), for the request log. */
  identity: string | undefined;
}

/** App Service and IMDS describe failures differently; MSAL reads `message` from one and `error` from the other. */
export function managedIdentityErrorBody(
  source: ManagedIdentitySource,
  status: number,
  description: string,
  nowMs: number,
  error?: string,
): Record<string, unknown> {
  if (source === 'app-service') {
    return { statusCode: status, message: description, correlationId: crypto.randomUUID() };
  }
  return {
    error: error ?? (status >= 500 ? 'temporarily_unavailable' : 'invalid_request'),
    error_description: description,
    timestamp: entraTimestamp(nowMs),
  };
}

function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET App Service (`/msi/token?api-version=2019-08-01&resource=…[&client_id|object_id|principal_id|mi_res_id]`,
 * header `X-IDENTITY-HEADER`) or IMDS (`/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…
 * [&client_id|object_id|msi_res_id]`, header `Metadata: true`), checked as strictly as Azure: the
 * source's own API version and parameter names, one identity at most, a resource (not a scope).
 * Tokens come from the managed identity token cache unless it is off.
 */
export async function handleManagedIdentityRequest(
  context: EntraContext,
  source: ManagedIdentitySource,
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
): Promise<ManagedIdentityResponse> {
  const nowMs = context.now();
  const { apiVersion: expectedVersion, selectors } = SOURCES[source];
  const named = Object.entries(selectors).filter(([parameter]) => query.has(parameter));
  const identity = named.length > 0 ? (query.get(named[0]![0]) ?? undefined) : undefined;
  const fail = (status: number, description: string, error?: string): ManagedIdentityResponse => ({
    status,
    body: managedIdentityErrorBody(source, status, description, nowMs, error),
    identity,
  });

  if (source === 'app-service') {
    const presented = headers['x-identity-header'];
    if (!sameSecret(typeof presented === 'string' ? presented : undefined, context.settings.identityHeader)) {
      return fail(401, 'The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.');
    }
  } else if (headers.metadata !== 'true') {
    return fail(400, 'Required metadata header not specified');
  }
  const apiVersion = query.get('api-version');
  if (apiVersion === null) {
    return fail(400, `Required query variable 'api-version' is missing. Use api-version=${expectedVersion}.`);
  }
  if (apiVersion !== expectedVersion) {
    return fail(
      400,
      `The api-version '${apiVersion}' is not supported here. Use api-version=${expectedVersion}.`,
    );
  }
  const foreign = FOREIGN_SELECTORS[source].find((parameter) => query.has(parameter));
  if (foreign !== undefined) {
    return fail(
      400,
      `The query parameter '${foreign}' is not supported here; name a user-assigned identity with ${Object.keys(selectors).join(', ')}.`,
    );
  }
  if (named.length > 1) {
    return fail(
      400,
      `Only one of ${Object.keys(selectors).join(', ')} may be given; got ${named.map(([p]) => p).join(' and ')}.`,
    );
  }
  const resourceParam = query.get('resource');
  if (!resourceParam) return fail(400, "Required query variable 'resource' is missing.");
  const found = resourceParam.endsWith('/.default')
    ? undefined
    : context.directory.resourceNamed(resourceParam);
  if (!found) {
    // Entra's answer, passed through by the host: a scope (`…/.default`) is not a resource.
    return fail(
      400,
      `AADSTS500011: The resource principal named ${resourceParam} was not found in the tenant. Managed identity endpoints take a resource (e.g. https://redis.azure.com), not a scope.`,
      'invalid_resource',
    );
  }

  let mi: RegisteredManagedIdentity | undefined;
  if (identity === undefined) {
    mi = context.directory.systemManagedIdentity();
    if (!mi) return fail(400, 'No system-assigned managed identity is enabled on this resource.');
  } else {
    const selector = named[0]![1];
    mi = context.directory.userManagedIdentity({ [selector]: identity });
    if (!mi) {
      return fail(
        400,
        source === 'imds'
          ? 'Identity not found'
          : 'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.',
      );
    }
  }
  const token = await context.managedIdentityTokens.token(mi, resourceParam, () =>
    context.issuer.accessToken({
      tenantId: mi.tenantId,
      resource: found.resource,
      audience: found.audience,
      version: context.settings.accessTokenVersion,
      lifetimeSec: mi.tokenLifetimeSec ?? context.settings.tokenLifetimeSec,
      subject: {
        kind: 'managed-identity',
        clientId: mi.clientId,
        objectId: mi.objectId,
        resourceId: mi.resourceId,
      },
    }),
  );
  const expiresInSec = Math.max(0, Math.floor((token.expiresOnSec * 1000 - nowMs) / 1000));
  const body: Record<string, unknown> = {
    access_token: token.accessToken,
    expires_on: String(token.expiresOnSec),
    resource: resourceParam,
    token_type: 'Bearer',
    client_id: mi.clientId,
  };
  if (source === 'imds') {
    Object.assign(body, {
      refresh_token: '',
      expires_in: String(expiresInSec),
      ext_expires_in: String(expiresInSec),
      not_before: String(token.notBeforeSec),
    });
  }
  return { status: 200, body, identity };
}
