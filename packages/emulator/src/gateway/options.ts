import type { AccessPolicy, AccessPolicyAssignment } from './access-policies';
import type { BackendAddress } from './admin-connection';
import type { GatewayClock } from './clock';
import { GatewayOptionError } from './errors';
import type { JwksSource } from './token-validator';

/**
 * Audiences Azure Cache for Redis accepts, in the forms Entra ID issues them: the resource URI
 * (with a trailing slash when the request named it so) and the resource's application id (what
 * a scope `acca5fbb-…/.default` and every v2 token carry).
 */
export const DEFAULT_REDIS_AUDIENCES: readonly string[] = Object.freeze([
  'https://redis.azure.com',
  'https://redis.azure.com/',
  'acca5fbb-b7e4-4009-81f1-37e38fd66d78',
]);

/** TLS listener material (production Azure Cache for Redis is TLS-only). */
export interface GatewayTlsOptions {
  /** Server certificate chain, PEM. */
  readonly certPem: string | Buffer;
  /** Private key of the certificate, PEM. */
  readonly keyPem: string | Buffer;
}

/** Options shared by the single-node and the cluster gateway. */
export interface TokenCheckOptions {
  /** Keys that sign valid tokens: a JWKS object, a function returning one, or a JWKS URL. Required. */
  readonly jwks: JwksSource;
  /** PEM CA certificate(s) to trust when `jwks` is an https URL; default: Node's trust store. */
  readonly jwksCaPem?: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * Tenants (`tid` claim) whose tokens are accepted. Azure accepts only the tenant the cache
   * belongs to: give that one tenant id. Several ids, or `'any'`, are leniencies Azure does not
   * have. Required (a token of another tenant is refused with reason `wrong-tenant`).
   */
  readonly tenants: readonly string[] | 'any';
  /**
   * Accepted `aud` values; default {@link DEFAULT_REDIS_AUDIENCES}, the only ones Azure accepts.
   * Anything else (e.g. a Microsoft Graph audience) is a leniency.
   */
  readonly audiences?: readonly string[];
  /**
   * Custom data access policies (`{ name, permissions }`, permissions in Redis ACL syntax) besides
   * the built-in `Data Owner`, `Data Contributor` and `Data Reader`; default none.
   */
  readonly accessPolicies?: readonly AccessPolicy[];
  /**
   * Which principal (`objectId` = the token's `oid`) holds which policy. Default none: as on
   * Azure, a principal without an assignment is refused (`WRONGPASS`, reason `no-access-policy`).
   * Change them at run time with `assignAccessPolicy` / `removeAccessPolicyAssignment`.
   */
  readonly accessPolicyAssignments?: readonly AccessPolicyAssignment[];
  /**
   * A policy for every principal without an assignment, e.g. `'Data Owner'` to let any validly
   * signed token in. A leniency Azure does not have; default none.
   */
  readonly defaultAccessPolicy?: string;
  /** Accepted `iss` values, or a predicate; default: any issuer (the signature is what counts). */
  readonly issuers?: readonly string[] | ((issuer: string) => boolean);
  /** Accepted JWS algorithms; default `['RS256']` (what Entra ID signs with). */
  readonly algorithms?: readonly string[];
  /** Leeway for `exp`/`nbf` checks, in milliseconds (also delays eviction by as much); default 0. */
  readonly clockToleranceMs?: number;
  /**
   * How long after its token's `exp` (+ clockToleranceMs) a connection may stay open before the
   * gateway closes it, in milliseconds; default 0.
   */
  readonly graceMs?: number;
  /**
   * Username assumed for `AUTH <token>` (no username): `'default'` (Redis' rule; never matches an
   * oid, so the token is refused with WRONGPASS) or `'oid'` (taken from the token); default `'default'`.
   */
  readonly passwordOnlyUsername?: 'default' | 'oid';
  /** Time source for token checks and expiry timers; default the system clock. */
  readonly clock?: GatewayClock;
  /** How many AUTH/HELLO outcomes `authLog()` keeps (oldest dropped first); default 1000. */
  readonly authLogLimit?: number;
}

/** Options of {@link startRedisGateway}. */
export interface RedisGatewayOptions extends TokenCheckOptions {
  /**
   * The redis-server behind the gateway (with admin credentials if its default user needs them);
   * default: the gateway starts a private one and stops it in `stop()`.
   */
  readonly backend?: BackendAddress;
  /** Listen address; default `127.0.0.1`. */
  readonly host?: string;
  /** Listen port; default 0 (a free port chosen by the OS). */
  readonly port?: number;
  /** Serve TLS instead of plain TCP; default: plain TCP. */
  readonly tls?: GatewayTlsOptions;
}

export interface ResolvedTokenCheckOptions {
  readonly tenants: readonly string[] | 'any';
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  readonly clockToleranceMs: number;
  readonly graceMs: number;
  readonly passwordOnlyUsername: 'oid' | undefined;
  readonly authLogLimit: number;
}

const isNonNegativeNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0;

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '');

/** Checks the options every gateway shares; throws {@link GatewayOptionError} naming the option. */
export function resolveTokenCheckOptions(options: TokenCheckOptions): ResolvedTokenCheckOptions {
  if (options === null || typeof options !== 'object') {
    throw new GatewayOptionError('options', 'an object with at least `jwks`');
  }
  const { jwks } = options;
  const jwksOk =
    typeof jwks === 'function' ||
    jwks instanceof URL ||
    (typeof jwks === 'string' && /^https?:\/\//.test(jwks)) ||
    (typeof jwks === 'object' && jwks !== null && Array.isArray((jwks as { keys?: unknown }).keys));
  if (!jwksOk) {
    throw new GatewayOptionError(
      'jwks',
      'a JSON Web Key Set ({ keys: [...] }), a function returning one, or an http(s) URL',
    );
  }
  if (options.tenants !== 'any' && !isStringList(options.tenants)) {
    throw new GatewayOptionError(
      'tenants',
      "the cache's tenant id(s) as a non-empty array of strings (Azure: exactly one), or 'any'",
    );
  }
  if (options.audiences !== undefined && !isStringList(options.audiences)) {
    throw new GatewayOptionError('audiences', 'a non-empty array of non-empty strings');
  }
  if (
    options.issuers !== undefined &&
    typeof options.issuers !== 'function' &&
    !isStringList(options.issuers)
  ) {
    throw new GatewayOptionError(
      'issuers',
      'a non-empty array of strings or a predicate (issuer) => boolean',
    );
  }
  if (options.algorithms !== undefined && !isStringList(options.algorithms)) {
    throw new GatewayOptionError('algorithms', "a non-empty array of JWS algorithm names, e.g. ['RS256']");
  }
  for (const name of ['clockToleranceMs', 'graceMs'] as const) {
    if (options[name] !== undefined && !isNonNegativeNumber(options[name])) {
      throw new GatewayOptionError(name, 'a finite number of milliseconds >= 0');
    }
  }
  if (
    options.passwordOnlyUsername !== undefined &&
    !['default', 'oid'].includes(options.passwordOnlyUsername)
  ) {
    throw new GatewayOptionError('passwordOnlyUsername', "'default' or 'oid'");
  }
  if (
    options.authLogLimit !== undefined &&
    (!Number.isInteger(options.authLogLimit) || (options.authLogLimit as number) < 0)
  ) {
    throw new GatewayOptionError('authLogLimit', 'an integer >= 0');
  }
  return {
    tenants: options.tenants === 'any' ? 'any' : [...options.tenants],
    audiences: options.audiences ?? DEFAULT_REDIS_AUDIENCES,
    algorithms: options.algorithms ?? ['RS256'],
    clockToleranceMs: options.clockToleranceMs ?? 0,
    graceMs: options.graceMs ?? 0,
    passwordOnlyUsername: options.passwordOnlyUsername === 'oid' ? 'oid' : undefined,
    authLogLimit: options.authLogLimit ?? 1000,
  };
}

/** Checks the listener/backend options of a single gateway. */
export function checkListenerOptions(options: RedisGatewayOptions): void {
  if (
    options.port !== undefined &&
    !(Number.isInteger(options.port) && options.port >= 0 && options.port < 65536)
  ) {
    throw new GatewayOptionError('port', 'an integer 0–65535 (0 = a free port)');
  }
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw new GatewayOptionError('host', 'a non-empty host name or IP address');
  }
  const backend = options.backend;
  if (
    backend !== undefined &&
    (typeof backend !== 'object' ||
      typeof backend.host !== 'string' ||
      !Number.isInteger(backend.port) ||
      backend.port <= 0 ||
      backend.port >= 65536)
  ) {
    throw new GatewayOptionError('backend', '{ host: string, port: 1–65535, username?, password? }');
  }
  const tls = options.tls;
  if (tls !== undefined && (typeof tls !== 'object' || !tls.certPem || !tls.keyPem)) {
    throw new GatewayOptionError('tls', '{ certPem, keyPem } (PEM strings or Buffers)');
  }
}
