import type { EntraidCredentialsProvider } from '../entraid-credentials-provider';
import { EntraIdErrorCode } from '../error-codes';
import { readJwtClaims } from '../jwt-claims';
import { aadstsOf, findError, TRUST_FIX, UNTRUSTED_CERTIFICATE_CODES } from './describe-failure';
import { type AuthorityProbe, probeAuthority } from './probe-authority';
import { trustedCas } from './trust';
import { type DoctorConfig, fail, pass, type StepResult } from './types';

const TITLE = 'token acquired';

/** The claims the doctor shows; the token itself never leaves this module's result. */
export interface TokenClaims {
  oid?: string;
  appid?: string;
  azp?: string;
  tid?: string;
  aud?: string;
  iss?: string;
  iat?: number;
  nbf?: number;
  exp?: number;
}

/** Outcome of the token step. `accessToken` is for the AUTH step only: never printed. */
export interface TokenOutcome {
  result: StepResult;
  accessToken?: string;
  username?: string;
  claims?: TokenClaims;
  /** Local clock when the request started / ended (epoch ms). */
  requestedAtMs?: number;
  receivedAtMs?: number;
  expiresAtMs?: number;
}

/** Step 2: one token request through the factory's provider (no retries), timed; claims decoded. */
export async function acquireToken(
  config: DoctorConfig,
  provider: EntraidCredentialsProvider,
  now: () => number,
): Promise<TokenOutcome> {
  const requestedAtMs = now();
  let username: string | undefined;
  let accessToken: string | undefined;
  try {
    const [credentials, subscription] = await provider.subscribe({ onNext() {}, onError() {} });
    subscription.dispose();
    username = credentials.username;
    accessToken = credentials.password;
  } catch (error) {
    return { result: await diagnose(config, error, now() - requestedAtMs) };
  } finally {
    provider.dispose();
  }
  const receivedAtMs = now();
  const token = provider.getCurrentToken();
  const claims = pickClaims(readJwtClaims(accessToken ?? '') ?? {});
  const tookMs = receivedAtMs - requestedAtMs;
  const where = config.flow === 'managed-identity' ? 'managed identity endpoint' : config.authority;
  const appId = claims.appid ?? claims.azp;
  const exp = claims.exp === undefined ? 'unknown' : new Date(claims.exp * 1000).toISOString();
  return {
    result: pass(
      'token',
      TITLE,
      `${config.flow} via ${where} in ${tookMs} ms: oid ${claims.oid ?? '(none)'}, ${claims.appid ? 'appid' : 'azp'} ${appId ?? '(none)'}, tid ${claims.tid ?? '(none)'}, aud ${claims.aud ?? '(none)'}, exp ${exp}`,
      { flow: config.flow, authority: config.authority, tookMs, claims },
    ),
    accessToken,
    username,
    claims,
    requestedAtMs,
    receivedAtMs,
    expiresAtMs: token?.expiresAtMs,
  };
}

function pickClaims(all: Record<string, unknown>): TokenClaims {
  const claims: TokenClaims = {};
  for (const key of ['oid', 'appid', 'azp', 'tid', 'aud', 'iss'] as const) {
    const value = all[key];
    if (typeof value === 'string') claims[key] = value;
  }
  for (const key of ['iat', 'nbf', 'exp'] as const) {
    const value = all[key];
    if (typeof value === 'number') claims[key] = value;
  }
  return claims;
}

async function diagnose(config: DoctorConfig, error: unknown, tookMs: number): Promise<StepResult> {
  const found = findError(error, 'ENTRA_');
  const aadsts = aadstsOf(found.message);
  const data = {
    flow: config.flow,
    authority: config.authority,
    tookMs,
    errorCode: found.code,
    status: found.status,
  };
  const failed = (code: string, cause: string, fix: string) =>
    fail('token', TITLE, {
      code,
      detail: `${config.flow} failed after ${tookMs} ms: ${found.code ?? 'error'}${aadsts ? ` (${aadsts.text})` : ''}`,
      cause,
      fix,
      data,
    });
  if (config.flow === 'managed-identity') return diagnoseManagedIdentity(config, found, failed);
  switch (aadsts?.number) {
    case '7000215':
      return failed(
        'TOKEN_INVALID_SECRET',
        `Entra ID refused the client secret of app ${config.clientId} (AADSTS7000215): wrong, expired, or the secret's ID was given instead of its value`,
        "set AZURE_CLIENT_SECRET to the secret's Value (App registrations › Certificates & secrets; the Value is shown only once: create a new secret if it is lost) and check its expiry date",
      );
    case '700016':
      return failed(
        'TOKEN_UNKNOWN_CLIENT',
        `no application ${config.clientId} in the tenant of ${config.authority} (AADSTS700016)`,
        'check AZURE_CLIENT_ID is the Application (client) ID — not the object id — and AZURE_TENANT_ID the tenant the app is registered in',
      );
    case '700027':
    case '700023':
      return failed(
        'TOKEN_INVALID_CERTIFICATE',
        `Entra ID refused the client certificate of app ${config.clientId} (AADSTS${aadsts.number}): not uploaded to the app registration, expired, or another key`,
        'upload this certificate (public part) to App registrations › Certificates & secrets, and check its validity dates',
      );
    case '90002':
      return failed(
        'TOKEN_UNKNOWN_TENANT',
        `the tenant in ${config.authority} does not exist (AADSTS90002)`,
        'set AZURE_TENANT_ID (or --authority) to the Directory (tenant) ID of the app registration',
      );
    case '500011':
    case '70011':
      return failed(
        'TOKEN_INVALID_SCOPE',
        `Entra ID does not know the resource of scope ${config.scope} in this tenant (AADSTS${aadsts.number})`,
        'use the scope https://redis.azure.com/.default (--scope / AZURE_REDIS_SCOPE)',
      );
  }
  switch (found.code) {
    case EntraIdErrorCode.DISCOVERY_FAILED:
    case EntraIdErrorCode.NETWORK_ERROR:
      return diagnoseAuthority(config, found.code, failed);
    case EntraIdErrorCode.INVALID_CLIENT:
      return failed(
        'TOKEN_INVALID_CLIENT',
        `Entra ID refused the credentials of app ${config.clientId}`,
        'check AZURE_CLIENT_ID, AZURE_TENANT_ID and the secret or certificate of the app registration',
      );
    case EntraIdErrorCode.INVALID_SCOPE:
      return failed(
        'TOKEN_INVALID_SCOPE',
        `Entra ID refused scope ${config.scope}`,
        'use the scope https://redis.azure.com/.default (--scope / AZURE_REDIS_SCOPE)',
      );
    case EntraIdErrorCode.THROTTLED:
    case EntraIdErrorCode.SERVER_UNAVAILABLE:
      return failed(
        'TOKEN_IDP_UNAVAILABLE',
        'Entra ID is throttling or temporarily unavailable',
        'try again in a minute; applications retry this by themselves',
      );
    case EntraIdErrorCode.WRONG_AUDIENCE: {
      const aud = /aud "([^"]+)"/.exec(found.message)?.[1] ?? 'another resource';
      return failed(
        'TOKEN_WRONG_AUDIENCE',
        `the token is for audience ${aud}, not for Azure Cache for Redis (https://redis.azure.com); the provider refuses to send it to Redis`,
        'request the scope https://redis.azure.com/.default (--scope / AZURE_REDIS_SCOPE)',
      );
    }
    case EntraIdErrorCode.MISSING_OID_CLAIM:
      return failed(
        'TOKEN_NO_OID',
        'the token has no oid claim, which Azure Cache for Redis needs as the username',
        'request an access token for https://redis.azure.com/.default; tokens for other resources may lack oid',
      );
    case 'REQUEST_TIMEOUT':
      return failed(
        'TOKEN_TIMEOUT',
        `no answer from the identity provider within ${config.timeoutMs} ms`,
        'check network access to the authority (proxy, firewall) or raise --timeout-ms',
      );
  }
  return failed(
    'TOKEN_FAILED',
    `the token request failed: ${found.message.split('\n')[0]}`,
    'check the flow options above; run with the same environment as your application',
  );
}

type Failed = (code: string, cause: string, fix: string) => StepResult;

function diagnoseManagedIdentity(
  config: DoctorConfig,
  found: { code?: string; status?: number; message: string },
  failed: Failed,
): StepResult {
  const which = config.managedIdentityClientId
    ? `user-assigned managed identity ${config.managedIdentityClientId}`
    : 'system-assigned managed identity';
  if (found.code === EntraIdErrorCode.REQUEST_REJECTED || found.status === 400 || found.status === 404) {
    return failed(
      'TOKEN_MANAGED_IDENTITY_NOT_FOUND',
      `the managed identity endpoint has no ${which} for this resource (HTTP ${found.status ?? '4xx'})`,
      config.managedIdentityClientId
        ? `assign the identity to this VM / App Service / container (its Identity › User assigned blade), or fix the client id (--mi-client-id / AZURE_CLIENT_ID)`
        : 'enable the system-assigned identity (Identity › System assigned › On), or give --mi-client-id for a user-assigned one',
    );
  }
  if (
    found.code === EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE ||
    found.code === EntraIdErrorCode.NETWORK_ERROR ||
    found.code === 'REQUEST_TIMEOUT'
  ) {
    return failed(
      'TOKEN_NO_MANAGED_IDENTITY_ENDPOINT',
      'no managed identity endpoint answered: this process is not on an Azure resource with a managed identity (IDENTITY_ENDPOINT unset and IMDS 169.254.169.254 unreachable)',
      'run on the Azure resource (App Service, VM, AKS with workload identity, …), or use a service principal here (--flow client-secret / client-certificate)',
    );
  }
  return failed(
    'TOKEN_FAILED',
    `the ${which} request failed: ${found.message.split('\n')[0]}`,
    'check the identity is enabled and assigned to this resource',
  );
}

async function diagnoseAuthority(config: DoctorConfig, code: string, failed: Failed): Promise<StepResult> {
  const authority = config.authority as string;
  const probe: AuthorityProbe = await probeAuthority(authority, trustedCas(config.caPem), config.timeoutMs);
  if (probe.kind === 'tls') {
    const untrusted = UNTRUSTED_CERTIFICATE_CODES.has(probe.code);
    return failed(
      untrusted ? 'TOKEN_AUTHORITY_UNTRUSTED_CERTIFICATE' : 'TOKEN_AUTHORITY_TLS',
      `the TLS certificate of ${new URL(authority).host} is not accepted (${probe.code})`,
      untrusted
        ? TRUST_FIX
        : `check the authority URL's host name and the certificate it serves (${probe.message})`,
    );
  }
  if (probe.kind === 'unreachable') {
    return failed(
      'TOKEN_AUTHORITY_UNREACHABLE',
      `cannot reach ${new URL(authority).host} (${probe.code})`,
      'check the authority URL / AZURE_AUTHORITY_HOST, DNS, and outbound HTTPS (proxy, firewall, NSG) to it',
    );
  }
  if (probe.kind === 'http') {
    const aadsts = aadstsOf(probe.description ?? '');
    if (aadsts?.number === '90002' || (probe.status === 400 && probe.error === 'invalid_tenant')) {
      return failed(
        'TOKEN_UNKNOWN_TENANT',
        `the tenant in ${authority} does not exist (${aadsts?.text ?? probe.error})`,
        'set AZURE_TENANT_ID (or --authority) to the Directory (tenant) ID of the app registration',
      );
    }
    return failed(
      'TOKEN_AUTHORITY_ERROR',
      `${authority} answered HTTP ${probe.status}${probe.error ? ` ${probe.error}` : ''} to OIDC discovery`,
      "check the authority URL: https://login.microsoftonline.com/<tenant id> (or your cloud's login host)",
    );
  }
  return failed(
    'TOKEN_AUTHORITY_UNREACHABLE',
    `MSAL could not reach the authority (${code}) although it answers now`,
    'try again; check proxy settings of the application',
  );
}
