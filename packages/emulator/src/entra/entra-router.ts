import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAuthorizeRequest } from './authorize-endpoint';
import {
  federatedIssuerConfiguration,
  openIdConfigurationV1,
  openIdConfigurationV2,
} from './discovery-documents';
import { type EntraContext, isMultiTenantSegment } from './entra-context';
import { EntraProtocolError, entraErrorBody } from './entra-error-response';
import type { ActiveFault, FaultInjector } from './fault-injector';
import type { FederatedIssuer } from './federated-issuer';
import { basicCredentials, readBody, redirect, sendJson, sendRaw } from './http-io';
import {
  APP_SERVICE_PATH,
  handleManagedIdentityRequest,
  IMDS_PATH,
  type ManagedIdentitySource,
  managedIdentityErrorBody,
} from './managed-identity-endpoint';
import type { RequestLog } from './request-log';
import type { SigningKeyRing } from './signing-key-ring';
import { handleTokenRequest } from './token-endpoint';

/** What a path is. */
type Route =
  | { endpoint: 'discovery'; kind: 'v2' | 'v1'; tenant: string }
  | { endpoint: 'discovery'; kind: 'federation'; tenant: undefined }
  | { endpoint: 'jwks'; kind: 'entra' | 'federation'; tenant: string | undefined }
  | { endpoint: 'token' | 'authorize'; tenant: string }
  | { endpoint: 'mi'; source: ManagedIdentitySource; tenant: undefined }
  | { endpoint: 'other'; tenant: undefined };

/** Path prefix of the emulator's federated issuer. */
export const FEDERATION_PATH = '/federation';

export function routeAuthority(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean);
  const joined = `/${parts.join('/')}`;
  if (joined === `${FEDERATION_PATH}/.well-known/openid-configuration`) {
    return { endpoint: 'discovery', kind: 'federation', tenant: undefined };
  }
  if (joined === `${FEDERATION_PATH}/keys`)
    return { endpoint: 'jwks', kind: 'federation', tenant: undefined };
  if (joined === '/discovery/v2.0/keys' || joined === '/discovery/keys') {
    return { endpoint: 'jwks', kind: 'entra', tenant: undefined };
  }
  const [tenant, ...rest] = parts;
  const tail = rest.join('/');
  if (tenant === undefined) return { endpoint: 'other', tenant: undefined };
  if (tail === 'v2.0/.well-known/openid-configuration') return { endpoint: 'discovery', kind: 'v2', tenant };
  if (tail === '.well-known/openid-configuration') return { endpoint: 'discovery', kind: 'v1', tenant };
  if (tail === 'discovery/v2.0/keys' || tail === 'discovery/keys')
    return { endpoint: 'jwks', kind: 'entra', tenant };
  if (tail === 'oauth2/v2.0/token') return { endpoint: 'token', tenant };
  if (tail === 'oauth2/v2.0/authorize') return { endpoint: 'authorize', tenant };
  return { endpoint: 'other', tenant: undefined };
}

export function routeManagedIdentity(pathname: string): Route {
  const trimmed = pathname.replace(/\/+$/, '');
  if (trimmed === APP_SERVICE_PATH) return { endpoint: 'mi', source: 'app-service', tenant: undefined };
  if (trimmed === IMDS_PATH) return { endpoint: 'mi', source: 'imds', tenant: undefined };
  return { endpoint: 'other', tenant: undefined };
}

export interface RouterDeps {
  context: EntraContext;
  keys: SigningKeyRing;
  federatedIssuer: FederatedIssuer;
  faults: FaultInjector;
  log: RequestLog;
  /** Delays that `stop()` can cancel. */
  delay: (ms: number) => Promise<void>;
}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  route: Route;
  url: URL;
  origin: string;
  form: URLSearchParams | undefined;
}

/** Builds the request listener of one server: routing, faults, request log, Entra-shaped errors. */
export function createRequestListener(deps: () => RouterDeps, listener: 'authority' | 'managed-identity') {
  return (request: IncomingMessage, response: ServerResponse): void => {
    void serve(deps(), listener, request, response).catch(() => {
      if (!response.headersSent) sendJson(response, 500, { error: 'server_error' });
      else response.destroy();
    });
  };
}

async function serve(
  deps: RouterDeps,
  listener: 'authority' | 'managed-identity',
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const timeMs = deps.context.now();
  const scheme = listener === 'authority' ? 'https' : 'http';
  const origin = `${scheme}://${request.headers.host ?? 'localhost'}`;
  const url = new URL(request.url ?? '/', origin);
  const route = listener === 'authority' ? routeAuthority(url.pathname) : routeManagedIdentity(url.pathname);
  const form =
    route.endpoint === 'token' && request.method === 'POST'
      ? new URLSearchParams(await readBody(request))
      : undefined;
  const grantType = form?.get('grant_type') ?? undefined;
  const fault = route.endpoint === 'other' ? undefined : deps.faults.take(route.endpoint, grantType);

  let logged = false;
  const logOnce = () => {
    if (logged) return;
    logged = true;
    deps.log.add({
      endpoint: route.endpoint,
      method: request.method ?? 'GET',
      path: url.pathname,
      tenant: route.tenant,
      grantType,
      clientId:
        form?.get('client_id') ??
        basicCredentials(request)?.clientId ??
        url.searchParams.get('client_id') ??
        url.searchParams.get('object_id') ??
        url.searchParams.get('mi_res_id') ??
        url.searchParams.get('msi_res_id') ??
        undefined,
      managedIdentitySource: route.endpoint === 'mi' ? route.source : undefined,
      status: response.headersSent ? response.statusCode : null,
      faulted: fault !== undefined,
      timeMs,
    });
  };
  response.on('finish', logOnce);
  response.on('close', logOnce);

  const exchange: Exchange = { request, response, route, url, origin, form };
  if (fault) {
    if (await applyFault(deps, exchange, fault)) return;
  }
  await answer(deps, exchange);
}

/** Returns true when the fault answered (or swallowed) the request. */
async function applyFault(deps: RouterDeps, exchange: Exchange, fault: ActiveFault): Promise<boolean> {
  const { spec } = fault;
  if (spec.delayMs) await deps.delay(spec.delayMs);
  if (spec.reset) {
    exchange.request.socket.destroy();
    return true;
  }
  if (spec.hang) return true;
  if (fault.status === undefined) return false;
  const body = spec.body !== undefined ? spec.body : defaultFaultBody(deps, exchange, fault.status);
  sendRaw(exchange.response, fault.status, body, spec.headers ?? {});
  return true;
}

function defaultFaultBody(deps: RouterDeps, exchange: Exchange, status: number): unknown {
  const nowMs = deps.context.now();
  if (exchange.route.endpoint === 'mi') {
    return managedIdentityErrorBody(exchange.route.source, status, `Injected fault: HTTP ${status}.`, nowMs);
  }
  const error =
    status === 429 ? 'too_many_requests' : status >= 500 ? 'temporarily_unavailable' : 'invalid_request';
  return entraErrorBody(
    {
      error,
      aadsts: 90033,
      description: `A transient error has occurred (injected fault: HTTP ${status}). Please try again.`,
    },
    { nowMs, correlationId: correlationIdOf(exchange.request), origin: exchange.origin },
  );
}

function correlationIdOf(request: IncomingMessage): string | undefined {
  const header = request.headers['client-request-id'];
  return typeof header === 'string' ? header : undefined;
}

function sendProtocolError(deps: RouterDeps, exchange: Exchange, error: EntraProtocolError): void {
  sendJson(
    exchange.response,
    error.status,
    entraErrorBody(
      { error: error.error, aadsts: error.aadsts, description: error.message, suberror: error.suberror },
      {
        nowMs: deps.context.now(),
        correlationId: correlationIdOf(exchange.request),
        origin: exchange.origin,
      },
    ),
  );
}

async function answer(deps: RouterDeps, exchange: Exchange): Promise<void> {
  const { route, request, response, url, origin } = exchange;
  const { context } = deps;
  try {
    switch (route.endpoint) {
      case 'discovery': {
        if (route.kind === 'federation')
          return sendJson(response, 200, federatedIssuerConfiguration(deps.federatedIssuer.issuer));
        const multiTenant = isMultiTenantSegment(route.tenant);
        if (!multiTenant && !context.directory.hasTenant(route.tenant)) {
          throw new EntraProtocolError('invalid_request', 90002, `Tenant '${route.tenant}' not found.`);
        }
        const document =
          route.kind === 'v2'
            ? openIdConfigurationV2(origin, route.tenant, multiTenant)
            : openIdConfigurationV1(origin, route.tenant, multiTenant);
        return sendJson(response, 200, document, { 'cache-control': 'max-age=86400, private' });
      }
      case 'jwks':
        return sendJson(
          response,
          200,
          route.kind === 'federation' ? deps.federatedIssuer.jwks() : deps.keys.jwks(),
        );
      case 'token': {
        if (request.method !== 'POST' || !exchange.form) {
          throw new EntraProtocolError(
            'invalid_request',
            900561,
            'The endpoint only accepts POST, OPTIONS requests. Received a GET request.',
          );
        }
        const body = await handleTokenRequest(
          context,
          route.tenant,
          exchange.form,
          basicCredentials(request),
        );
        return sendJson(response, 200, body);
      }
      case 'authorize': {
        const outcome = handleAuthorizeRequest(context, route.tenant, url.searchParams);
        if (outcome.kind === 'redirect') return redirect(response, outcome.location);
        throw outcome.error;
      }
      case 'mi': {
        const outcome = await handleManagedIdentityRequest(
          context,
          route.source,
          url.searchParams,
          request.headers,
        );
        return sendJson(response, outcome.status, outcome.body);
      }
      default:
        return sendJson(response, 404, {
          error: 'not_found',
          error_description: `No endpoint at ${url.pathname}.`,
        });
    }
  } catch (error) {
    if (error instanceof EntraProtocolError) return sendProtocolError(deps, exchange, error);
    throw error;
  }
}
