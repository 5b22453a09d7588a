import { AZURE_AUTHORITY_HOSTS, type AzureCloud } from './constants';
import { invalidOption } from './invalid-option';

/**
 * Which Entra ID authority (login host + tenant) MSAL talks to.
 *
 * - `default`: the `common` endpoint — only usable by user sign-in (authorization code + PKCE).
 * - `multi-tenant`: a specific tenant (`tenantId`: GUID or domain). The name is kept from @redis/entraid.
 * - `custom`: a full authority URL, e.g. `https://login.microsoftonline.com/<tenant>` or a private endpoint.
 *
 * `cloud` picks the login host of a sovereign cloud; without it `AZURE_AUTHORITY_HOST` is honoured as
 * @azure/identity does, else the public cloud is used.
 */
export type AuthorityConfig =
  | { type: 'multi-tenant'; tenantId: string; cloud?: AzureCloud }
  | { type: 'custom'; authorityUrl: string }
  | { type: 'default'; cloud?: AzureCloud };

/** The authority MSAL is configured with. */
export interface ResolvedAuthority {
  /** Authority URL, e.g. `https://login.microsoftonline.com/<tenant>`. */
  authority: string;
  /** `host[:port]` entries to pass as MSAL `knownAuthorities` (non-Microsoft hosts only). */
  knownAuthorities: string[];
}

export interface ResolveAuthorityOptions {
  /** True for app-only flows (client credentials), which need a specific tenant. */
  appOnly: boolean;
  /** Environment to read `AZURE_AUTHORITY_HOST` from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

// Hosts MSAL validates through its own static cloud metadata: no instance discovery is made for them.
const MICROSOFT_LOGIN_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
  'login.microsoftonline.us',
  'login-us.microsoftonline.com',
  'login.usgovcloudapi.net',
  'login.microsoftonline.de',
]);

// Tenant aliases that only work for user sign-in; an app-only token request to them always fails.
const USER_ONLY_TENANTS = new Set(['common', 'organizations', 'consumers']);

const AUTHORITY_TYPES = "'default', 'multi-tenant' (with tenantId) or 'custom' (with authorityUrl)";

/** Resolves an {@link AuthorityConfig} to an authority URL; throws InvalidOptionError for unusable input. */
export function resolveAuthority(
  config: AuthorityConfig | undefined,
  { appOnly, env = process.env }: ResolveAuthorityOptions,
): ResolvedAuthority {
  const effective: AuthorityConfig = config ?? { type: 'default' };
  if (typeof effective !== 'object' || effective === null) {
    throw invalidOption('authorityConfig', `an object with type ${AUTHORITY_TYPES}`, effective);
  }
  switch (effective.type) {
    case 'default': {
      if (appOnly) {
        throw invalidOption(
          'authorityConfig',
          "{ type: 'multi-tenant', tenantId } or { type: 'custom', authorityUrl } naming a tenant: app-only flows cannot use the 'common' endpoint that type 'default' means",
          effective.type,
        );
      }
      return withKnownAuthorities(`${loginHost(effective.cloud, env)}/common`);
    }
    case 'multi-tenant': {
      const tenantId = effective.tenantId;
      if (typeof tenantId !== 'string' || !/^[A-Za-z0-9.-]+$/.test(tenantId)) {
        throw invalidOption(
          'authorityConfig.tenantId',
          'a tenant GUID or domain name (letters, digits, dots, dashes)',
          tenantId,
        );
      }
      checkTenantUsable('authorityConfig.tenantId', tenantId, appOnly);
      return withKnownAuthorities(`${loginHost(effective.cloud, env)}/${tenantId}`);
    }
    case 'custom': {
      const url = parseHttpsUrl('authorityConfig.authorityUrl', effective.authorityUrl);
      const segments = url.pathname.split('/').filter(Boolean);
      if (segments.length === 0) {
        throw invalidOption(
          'authorityConfig.authorityUrl',
          'an https URL ending in a tenant, e.g. https://login.microsoftonline.com/<tenant>',
          effective.authorityUrl,
        );
      }
      checkTenantUsable('authorityConfig.authorityUrl', segments[segments.length - 1], appOnly);
      return withKnownAuthorities(`${url.origin}/${segments.join('/')}`);
    }
    default:
      throw invalidOption('authorityConfig.type', AUTHORITY_TYPES, (effective as { type?: unknown }).type);
  }
}

function loginHost(cloud: AzureCloud | undefined, env: NodeJS.ProcessEnv): string {
  if (cloud !== undefined) {
    if (!Object.hasOwn(AZURE_AUTHORITY_HOSTS, cloud)) {
      throw invalidOption(
        'authorityConfig.cloud',
        Object.keys(AZURE_AUTHORITY_HOSTS)
          .map((c) => `'${c}'`)
          .join(', '),
        cloud,
      );
    }
    return AZURE_AUTHORITY_HOSTS[cloud];
  }
  const fromEnv = env.AZURE_AUTHORITY_HOST;
  if (fromEnv) {
    return parseHttpsUrl('AZURE_AUTHORITY_HOST (environment variable)', fromEnv).origin;
  }
  return AZURE_AUTHORITY_HOSTS.AzurePublicCloud;
}

function checkTenantUsable(option: string, tenant: string, appOnly: boolean): void {
  if (appOnly && USER_ONLY_TENANTS.has(tenant.toLowerCase())) {
    throw invalidOption(
      option,
      `a specific tenant (GUID or domain): app-only flows cannot use '/${tenant}', which only serves user sign-in`,
      tenant,
    );
  }
}

function parseHttpsUrl(option: string, value: unknown): URL {
  let url: URL | undefined;
  if (typeof value === 'string') {
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
  }
  if (url === undefined || url.protocol !== 'https:') {
    // MSAL refuses non-https authorities (authority_uri_insecure); say so at construction.
    throw invalidOption(option, 'an absolute https:// URL', value);
  }
  return url;
}

function withKnownAuthorities(authority: string): ResolvedAuthority {
  const { host, hostname } = new URL(authority);
  // A host MSAL does not know would trigger instance discovery at login.microsoftonline.com;
  // listing it (host AND port) keeps every request on that host.
  return { authority, knownAuthorities: MICROSOFT_LOGIN_HOSTS.has(hostname) ? [] : [host] };
}
