import { inspect } from 'node:util';
import { DEFAULT_CLIENT_SECRET, REDIS_RESOURCE } from './entra/defaults';
import { startEntraEmulator } from './entra/entra-emulator';
import type {
  EmulatorIdentityOptions,
  EntraEmulator,
  IssueAccessTokenOptions,
  IssuedToken,
} from './entra/entra-emulator-api';
import type { ManagedIdentitySource } from './entra/managed-identity-endpoint';
import { type RedisClusterGateway, startRedisClusterGateway } from './gateway/cluster-gateway';
import { type LocalCluster, startLocalCluster } from './gateway/local-cluster';
import { type GatewayClock, systemClock } from './gateway/clock';
import { DATA_OWNER } from './gateway/access-policies';
import { GatewayOptionError } from './gateway/errors';
import { DEFAULT_REDIS_AUDIENCES, type TokenCheckOptions } from './gateway/options';
import { type RedisGateway, startRedisGateway } from './gateway/redis-gateway';
import { createGatewayTls, type GatewayTlsMaterial, writeCaBundle } from './local/gateway-tls';
import type { LocalAzureRedis, LocalMsalConfig } from './local/local-azure-redis-api';
import { invalidLocalOption } from './local/local-azure-redis-error';
import {
  type LocalAzureRedisOptions,
  type ResolvedLocalAzureRedisOptions,
  resolveLocalOptions,
} from './local/options';
import { stableJwks } from './local/stable-jwks';
import { startFailure } from './local/start-error';
import { type RedisServer, startRedisServer } from './redis-server';

/** How long the local cluster may take to reach `cluster_state:ok`, in ms. */
const CLUSTER_START_TIMEOUT_MS = 20_000;

/** The Redis side: the servers (a cluster's are owned here, so their pids are known) and how to stop them. */
interface RedisBackend {
  readonly servers: readonly RedisServer[];
  stop(): Promise<void>;
}

/**
 * Starts a local "Azure Cache for Redis with Entra ID", all in this process: the Entra ID
 * emulator, a redis-server (or a local Redis Cluster), and the token-checking gateway in front of
 * it, which accepts what Azure Cache for Redis accepts: tokens the emulator signs (its JWKS, its
 * v1 and v2 issuers) for the Redis audiences, of the emulator's first tenant, from principals with
 * a data access policy (by default `Data Owner` for those registered at start). Failures are `LocalAzureRedisError`s (`INVALID_OPTION`, `PORT_IN_USE`,
 * `REDIS_SERVER_MISSING`, `START_FAILED`); whatever had started is stopped first.
 */
export function startEmulator(
  options: LocalAzureRedisOptions & { cluster: true | { masters?: number } },
): Promise<LocalAzureRedis<RedisClusterGateway>>;
export function startEmulator(
  options?: LocalAzureRedisOptions & { cluster?: false },
): Promise<LocalAzureRedis<RedisGateway>>;
export function startEmulator(options?: LocalAzureRedisOptions): Promise<LocalAzureRedis>;
export async function startEmulator(options: LocalAzureRedisOptions = {}): Promise<LocalAzureRedis> {
  const resolved = resolveLocalOptions(options);
  if (resolved.clusterMasters > 0 && resolved.port !== 0) {
    invalidLocalOption('port', 'to be unset with `cluster` (each node gateway takes a free port)');
  }
  const stack: Array<() => Promise<void> | void> = [];
  const unwind = async () => {
    for (const stop of stack.reverse()) await stop();
  };
  try {
    const [entraResult, backendResult, tlsResult] = await Promise.allSettled([
      startEntra(resolved),
      startBackend(resolved),
      resolved.tls ? createGatewayTls() : Promise.resolve(undefined),
    ]);
    if (entraResult.status === 'fulfilled') stack.push(() => entraResult.value.stop());
    if (backendResult.status === 'fulfilled') stack.push(() => backendResult.value.stop());
    if (entraResult.status === 'rejected') throw entraResult.reason;
    if (backendResult.status === 'rejected') throw backendResult.reason;
    if (tlsResult.status === 'rejected') {
      throw await startFailure('gateway TLS certificate', tlsResult.reason, []);
    }
    const entra = entraResult.value;
    const backend = backendResult.value;
    const gateway = await startGateway(resolved, entra, backend, tlsResult.value);
    stack.push(() => gateway.stop());
    const caBundle = tlsResult.value ? writeCaBundle([entra.caPem, tlsResult.value.caPem]) : undefined;
    stack.push(() => caBundle?.remove());
    return new RunningLocalAzureRedis(entra, gateway, backend, {
      caPem: caBundle ? [entra.caPem, tlsResult.value!.caPem].join('\n') : entra.caPem,
      caPath: caBundle?.path ?? entra.caPath,
      // With custom apps, the first app's first secret ('' for a public or certificate-only app).
      clientSecret: options.entra?.apps ? (options.entra.apps[0]?.secrets?.[0] ?? '') : DEFAULT_CLIENT_SECRET,
      tls: resolved.tls,
      stop: unwind,
    });
  } catch (error) {
    await unwind();
    throw error;
  }
}

async function startEntra(resolved: ResolvedLocalAzureRedisOptions): Promise<EntraEmulator> {
  try {
    return await startEntraEmulator({
      ...resolved.entra,
      port: resolved.entraPort,
      managedIdentityPort: resolved.managedIdentityPort,
      tokenLifetimeSec: resolved.tokenLifetimeSec,
    });
  } catch (error) {
    throw await startFailure('Entra ID emulator', error, [
      { option: 'entraPort', port: resolved.entraPort },
      { option: 'managedIdentityPort', port: resolved.managedIdentityPort },
    ]);
  }
}

async function startBackend(resolved: ResolvedLocalAzureRedisOptions): Promise<RedisBackend> {
  try {
    if (resolved.clusterMasters === 0) {
      const server = await startRedisServer(resolved.redisPort === 0 ? {} : { port: resolved.redisPort });
      return { servers: [server], stop: () => server.stop() };
    }
    const cluster: LocalCluster = await startLocalCluster(resolved.clusterMasters, CLUSTER_START_TIMEOUT_MS);
    return cluster;
  } catch (error) {
    throw await startFailure('redis-server', error, [{ option: 'redisPort', port: resolved.redisPort }]);
  }
}

async function startGateway(
  resolved: ResolvedLocalAzureRedisOptions,
  entra: EntraEmulator,
  backend: RedisBackend,
  tls: GatewayTlsMaterial | undefined,
): Promise<RedisGateway | RedisClusterGateway> {
  const access = resolved.gateway;
  // The cache belongs to the emulator's first tenant. Every tenant's issuers are Entra's own, so a
  // token of another tenant is refused for its tenant (`wrong-tenant`), not its issuer.
  const tenantIds = resolved.entra.tenants?.map((tenant) => tenant.tenantId) ?? [entra.tenantId];
  const tokenCheck: TokenCheckOptions = {
    jwks: stableJwks(() => entra.jwks()),
    tenants: access.tenants ?? [entra.tenantId],
    issuers: tenantIds.flatMap((tenantId) => Object.values(entra.tokenIssuers(tenantId))),
    audiences: access.audiences ?? DEFAULT_REDIS_AUDIENCES,
    accessPolicies: access.accessPolicies,
    accessPolicyAssignments:
      access.accessPolicyAssignments ??
      entra.principals().map((principal) => ({ objectId: principal.objectId, accessPolicyName: DATA_OWNER })),
    defaultAccessPolicy: access.defaultAccessPolicy,
    graceMs: resolved.graceMs,
    ...(resolved.entra.now ? { clock: systemClockWith(resolved.entra.now) } : {}),
  };
  try {
    if (resolved.clusterMasters > 0) {
      return await startRedisClusterGateway({
        ...tokenCheck,
        nodes: backend.servers.map((server) => ({ host: server.host, port: server.port })),
        tls: tls?.listener,
      });
    }
    const server = backend.servers[0]!;
    return await startRedisGateway({
      ...tokenCheck,
      backend: { host: server.host, port: server.port },
      port: resolved.port,
      tls: tls?.listener,
    });
  } catch (error) {
    if (error instanceof GatewayOptionError) invalidLocalOption(`gateway.${error.option}`, error.accepted);
    throw await startFailure('Redis gateway', error, [{ option: 'port', port: resolved.port }]);
  }
}

/** The gateway reads the same clock as the emulator, so an injected `now` shifts both. */
function systemClockWith(now: () => number): GatewayClock {
  return { ...systemClock, now };
}

interface Extras {
  readonly caPem: string;
  readonly caPath: string;
  readonly clientSecret: string;
  readonly tls: boolean;
  readonly stop: () => Promise<void>;
}

class RunningLocalAzureRedis implements LocalAzureRedis {
  readonly redisUrl: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  readonly cluster: boolean;
  readonly rootNodes: ReadonlyArray<{ readonly url: string }>;
  readonly authorityHost: string;
  readonly authority: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly resource: string;
  readonly managedIdentityEndpoint: string;
  readonly caPem: string;
  readonly caPath: string;
  readonly redisServers: readonly RedisServer[];
  readonly #clientSecret: string;
  readonly #stop: () => Promise<void>;
  #stopped: Promise<void> | undefined;

  constructor(
    readonly entra: EntraEmulator,
    readonly gateway: RedisGateway | RedisClusterGateway,
    backend: RedisBackend,
    extras: Extras,
  ) {
    const nodes = 'gateways' in gateway ? gateway.gateways : [gateway];
    const first = nodes[0]!;
    this.redisUrl = first.url;
    this.host = first.host;
    this.port = first.port;
    this.tls = extras.tls;
    this.cluster = 'gateways' in gateway;
    this.rootNodes = nodes.map((node) => ({ url: node.url }));
    this.authorityHost = entra.authorityHost;
    this.authority = entra.authority();
    this.tenantId = entra.tenantId;
    this.clientId = entra.msalConfig().auth.clientId;
    // Always Redis, whatever other resources `entra.resources` registers.
    this.resource = REDIS_RESOURCE.identifierUri;
    this.scope = `${REDIS_RESOURCE.identifierUri}/.default`;
    this.managedIdentityEndpoint = entra.managedIdentityEndpoint;
    this.caPem = extras.caPem;
    this.caPath = extras.caPath;
    this.redisServers = backend.servers;
    this.#clientSecret = extras.clientSecret;
    this.#stop = extras.stop;
  }

  get clientSecret(): string {
    return this.#clientSecret;
  }

  msalConfig(options: { clientId?: string; tenantId?: string; timeoutMs?: number } = {}): LocalMsalConfig {
    const config = this.entra.msalConfig(options);
    const isDefaultApp =
      this.#clientSecret !== '' && (options.clientId === undefined || options.clientId === this.clientId);
    return {
      auth: isDefaultApp ? { ...config.auth, clientSecret: this.#clientSecret } : { ...config.auth },
      system: config.system,
    };
  }

  identityOptions(): EmulatorIdentityOptions {
    return this.entra.identityOptions();
  }

  managedIdentityEnv(source: ManagedIdentitySource): Record<string, string> {
    return this.entra.managedIdentityEnv(source);
  }

  issueAccessToken(options?: IssueAccessTokenOptions): Promise<IssuedToken> {
    return this.entra.issueAccessToken(options);
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /** What JSON and `util.inspect` show: the addresses, never the secret or the component internals. */
  toJSON(): Record<string, unknown> {
    return {
      redisUrl: this.redisUrl,
      rootNodes: this.rootNodes,
      tls: this.tls,
      cluster: this.cluster,
      authority: this.authority,
      tenantId: this.tenantId,
      clientId: this.clientId,
      scope: this.scope,
      managedIdentityEndpoint: this.managedIdentityEndpoint,
      caPath: this.caPath,
      redisServerPids: this.redisServers.map((server) => server.pid),
    };
  }

  [inspect.custom](_depth: number, options: object): string {
    return `LocalAzureRedis ${inspect(this.toJSON(), options)}`;
  }
}
