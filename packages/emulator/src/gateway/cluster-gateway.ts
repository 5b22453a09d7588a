import { EventEmitter } from 'node:events';
import { AccessControl, type AccessPolicy, type AccessPolicyAssignment } from './access-policies';
import type { BackendAddress } from './admin-connection';
import { ClusterAddressRewriter } from './cluster-rewriter';
import { systemClock } from './clock';
import { GatewayOptionError } from './errors';
import type { EvictionReason, GatewayConnectionInfo } from './connection-types';
import { type LocalCluster, startLocalCluster } from './local-cluster';
import { type GatewayTlsOptions, resolveTokenCheckOptions, type TokenCheckOptions } from './options';
import {
  type AuthLogEntry,
  type ConnectionFilter,
  createRedisGateway,
  type RedisGateway,
  type RedisGatewayEvents,
  type RedisGatewayStats,
} from './redis-gateway';
import { TokenValidator } from './token-validator';

/** Options of {@link startRedisClusterGateway}. */
export interface RedisClusterGatewayOptions extends TokenCheckOptions {
  /**
   * Nodes of an existing Redis Cluster to front (every master and replica clients may be sent to);
   * default: start a local cluster of `masters` redis-server processes, stopped by `stop()`.
   */
  readonly nodes?: readonly BackendAddress[];
  /** Masters of the local cluster when `nodes` is not given; default 3 (1–16). */
  readonly masters?: number;
  /** Listen address of every node's gateway; default `127.0.0.1`. */
  readonly host?: string;
  /** Serve TLS on every node's gateway; default plain TCP. */
  readonly tls?: GatewayTlsOptions;
  /** How long to wait for the local cluster to reach `cluster_state:ok`, in ms; default 20000. */
  readonly startTimeoutMs?: number;
}

/** Events of a cluster gateway: each node gateway's events, with the node's index. */
export type RedisClusterGatewayEvents = {
  [K in keyof RedisGatewayEvents]: [RedisGatewayEvents[K][0] & { readonly node: number }];
};

/** A running cluster gateway: one token-checking gateway per cluster node. */
export interface RedisClusterGateway {
  /** One gateway per backend node, in the order of `backends`. */
  readonly gateways: readonly RedisGateway[];
  /** The cluster nodes behind the gateways. */
  readonly backends: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** `[{ url }]` of every node's gateway: pass as node-redis `createCluster({ rootNodes })`. */
  readonly rootNodes: ReadonlyArray<{ readonly url: string }>;
  connections(): Array<GatewayConnectionInfo & { readonly node: number }>;
  /** Counters summed over the nodes. */
  stats(): RedisGatewayStats;
  authLog(): ReadonlyArray<AuthLogEntry & { readonly node: number }>;
  /** Closes the chosen connections on every node (reason `killed`); returns how many. */
  kill(filter?: ConnectionFilter): number;
  /** The data access policies (shared by every node, as one cache). */
  accessPolicies(): AccessPolicy[];
  /** Creates or replaces a custom policy on every node. */
  setAccessPolicy(policy: AccessPolicy): Promise<void>;
  /** Deletes a custom policy nobody holds. */
  removeAccessPolicy(name: string): Promise<boolean>;
  /** Who holds which policy. */
  accessPolicyAssignments(): AccessPolicyAssignment[];
  /** Gives a principal a policy on every node; resolves once every redis-server has it. */
  assignAccessPolicy(assignment: AccessPolicyAssignment): Promise<void>;
  /** Takes a principal's policy away on every node (its connections are closed, reason `access-revoked`). */
  removeAccessPolicyAssignment(objectId: string): Promise<boolean>;
  on<K extends keyof RedisClusterGatewayEvents>(
    event: K,
    listener: (...args: RedisClusterGatewayEvents[K]) => void,
  ): this;
  off<K extends keyof RedisClusterGatewayEvents>(
    event: K,
    listener: (...args: RedisClusterGatewayEvents[K]) => void,
  ): this;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const EVENTS: ReadonlyArray<keyof RedisGatewayEvents> = [
  'connection',
  'connectionRateLimited',
  'authOk',
  'authFailed',
  'evicted',
  'close',
];

/**
 * Starts a token-checking gateway per node of a Redis Cluster (by default a local 3-master
 * cluster) and rewrites topology replies and redirections so that cluster clients only ever see
 * gateway addresses — node-redis `createCluster` works without `nodeAddressMap`.
 */
export async function startRedisClusterGateway(
  options: RedisClusterGatewayOptions,
): Promise<RedisClusterGateway> {
  const resolved = resolveTokenCheckOptions(options);
  const masters = options.masters ?? 3;
  if (!Number.isInteger(masters) || masters < 1 || masters > 16) {
    throw new GatewayOptionError('masters', 'an integer 1–16');
  }
  if (options.nodes !== undefined && (!Array.isArray(options.nodes) || options.nodes.length === 0)) {
    throw new GatewayOptionError('nodes', 'a non-empty array of { host, port }');
  }
  const clock = options.clock ?? systemClock;
  const access = new AccessControl(options);
  const validator = new TokenValidator({
    jwks: options.jwks,
    jwksCaPem: options.jwksCaPem,
    audiences: resolved.audiences,
    tenants: resolved.tenants,
    issuers: options.issuers,
    algorithms: resolved.algorithms,
    clockToleranceMs: resolved.clockToleranceMs,
    now: () => clock.now(),
  });
  let cluster: LocalCluster | undefined;
  const backends: BackendAddress[] = options.nodes
    ? [...options.nodes]
    : (cluster = await startLocalCluster(masters, options.startTimeoutMs ?? 20_000)).servers.map(
        (server) => ({
          host: server.host,
          port: server.port,
        }),
      );
  const rewriter = new ClusterAddressRewriter();
  const gateways: RedisGateway[] = [];
  try {
    for (const backend of backends) {
      const { nodes: _nodes, masters: _masters, startTimeoutMs: _timeout, ...single } = options;
      const gateway = await createRedisGateway({ ...single, backend }, { validator, access, rewriter });
      rewriter.map(backend, { host: gateway.host, port: gateway.port });
      gateways.push(gateway);
    }
  } catch (error) {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await cluster?.stop();
    throw error;
  }
  return new ClusterGateway(gateways, backends, cluster, access);
}

class ClusterGateway extends EventEmitter implements RedisClusterGateway {
  readonly rootNodes: ReadonlyArray<{ readonly url: string }>;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly gateways: readonly RedisGateway[],
    readonly backends: ReadonlyArray<{ readonly host: string; readonly port: number }>,
    private readonly cluster: LocalCluster | undefined,
    private readonly access: AccessControl,
  ) {
    super();
    this.rootNodes = gateways.map((gateway) => ({ url: gateway.url }));
    gateways.forEach((gateway, node) => {
      for (const event of EVENTS) {
        gateway.on(event, (payload: object) => this.emit(event, { ...payload, node }));
      }
    });
  }

  connections(): Array<GatewayConnectionInfo & { readonly node: number }> {
    return this.gateways.flatMap((gateway, node) => gateway.connections().map((info) => ({ ...info, node })));
  }

  stats(): RedisGatewayStats {
    const total = {
      connectionsAccepted: 0,
      connectionsRateLimited: 0,
      connectionsOpen: 0,
      commandsForwarded: 0,
      authOk: 0,
      authFailed: 0,
      authFailedByReason: {} as Record<string, number>,
      evicted: 0,
      evictedByReason: {} as Partial<Record<EvictionReason, number>>,
    };
    for (const gateway of this.gateways) {
      const stats = gateway.stats();
      total.connectionsAccepted += stats.connectionsAccepted;
      total.connectionsRateLimited += stats.connectionsRateLimited;
      total.connectionsOpen += stats.connectionsOpen;
      total.commandsForwarded += stats.commandsForwarded;
      total.authOk += stats.authOk;
      total.authFailed += stats.authFailed;
      total.evicted += stats.evicted;
      for (const [reason, count] of Object.entries(stats.authFailedByReason)) {
        total.authFailedByReason[reason] = (total.authFailedByReason[reason] ?? 0) + (count ?? 0);
      }
      for (const [reason, count] of Object.entries(stats.evictedByReason)) {
        const key = reason as EvictionReason;
        total.evictedByReason[key] = (total.evictedByReason[key] ?? 0) + (count ?? 0);
      }
    }
    return total;
  }

  authLog(): ReadonlyArray<AuthLogEntry & { readonly node: number }> {
    return this.gateways
      .flatMap((gateway, node) => gateway.authLog().map((entry) => ({ ...entry, node })))
      .sort((a, b) => a.atMs - b.atMs);
  }

  kill(filter?: ConnectionFilter): number {
    return this.gateways.reduce((sum, gateway) => sum + gateway.kill(filter), 0);
  }

  accessPolicies(): AccessPolicy[] {
    return this.access.policies();
  }

  setAccessPolicy(policy: AccessPolicy): Promise<void> {
    return this.access.setPolicy(policy);
  }

  removeAccessPolicy(name: string): Promise<boolean> {
    return this.access.removePolicy(name);
  }

  accessPolicyAssignments(): AccessPolicyAssignment[] {
    return this.access.assignments();
  }

  assignAccessPolicy(assignment: AccessPolicyAssignment): Promise<void> {
    return this.access.assign(assignment);
  }

  removeAccessPolicyAssignment(objectId: string): Promise<boolean> {
    return this.access.unassign(objectId);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await Promise.all(this.gateways.map((gateway) => gateway.stop()));
      await this.cluster?.stop();
    })();
    return this.stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
