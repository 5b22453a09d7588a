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
): Record<string, unknown> {
  if (source === 'app-service') {
    return { statusCode: status, message: description, correlationId: crypto.randomUUID() };
  }
  return {
    error: status === 400 ? 'invalid_request' : status >= 500 ? 'temporarily_unavailable' : 'invalid_request',
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
 * GET App Service (`/msi/token?api-version=2019-08-01&resource=…[&client_id|object_id|mi_res_id]`,
 * header `X-IDENTITY-HEADER`) or IMDS (`/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…
 * [&client_id|object_id|msi_res_id]`, header `Metadata: true`).
 */
export async function handleManagedIdentityRequest(
  context: EntraContext,
  source: ManagedIdentitySource,
  query: URLSearchParams,
  headers: Record<string, string | string[] | undefined>,
): Promise<ManagedIdentityResponse> {
  const nowMs = context.now();
  const selector = {
    clientId: query.get('client_id') ?? query.get('clientid') ?? undefined,
    objectId: query.get('object_id') ?? query.get('principal_id') ?? undefined,
    resourceId: query.get(source === 'imds' ? 'msi_res_id' : 'mi_res_id') ?? undefined,
  };
  const identity = selector.clientId ?? selector.objectId ?? selector.resourceId;
  const fail = (status: number, description: string): ManagedIdentityResponse => ({
    status,
    body: managedIdentityErrorBody(source, status, description, nowMs),
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
  const expectedVersion = source === 'app-service' ? '2019-08-01' : '2018-02-01';
  const apiVersion = query.get('api-version');
  if (!apiVersion) return fail(400, `The api-version parameter is missing; use ${expectedVersion}.`);
  const resourceParam = query.get('resource');
  if (!resourceParam) return fail(400, 'The resource parameter is missing.');
  const found = context.directory.resourceNamed(resourceParam);
  if (!found) return fail(400, `The resource '${resourceParam}' is not known to this tenant.`);

  let mi: RegisteredManagedIdentity | undefined;
  if (identity === undefined) {
    mi = context.directory.systemManagedIdentity();
    if (!mi) return fail(400, 'No system-assigned managed identity is enabled on this resource.');
  } else {
    mi = context.directory.userManagedIdentity(selector);
    if (!mi) {
      return fail(
        400,
        source === 'imds'
          ? 'Identity not found'
          : 'No User Assigned or Delegated Managed Identity found for specified ClientId/ResourceId/PrincipalId.',
      );
    }
  }
  const token = await context.issuer.accessToken({
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
  });
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
      expires_in: String(token.expiresInSec),
      ext_expires_in: String(token.expiresInSec),
      not_before: String(token.notBeforeSec),
    });
  }
  return { status: 200, body, identity };
}
