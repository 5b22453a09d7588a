import { EventEmitter } from 'node:events';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { type RedisServer, startRedisServer } from '../redis-server';
import type { BackendAddress } from './admin-connection';
import { AccessControl, type AccessPolicy, type AccessPolicyAssignment } from './access-policies';
import { BackendUsers } from './backend-users';
import { type GatewayClock, systemClock } from './clock';
import { CONNECTION_RATE_LIMITED_REPLY, ConnectionRateLimit } from './connection-rate-limit';
import { GatewayStartError } from './errors';
import type {
  AuthCommand,
  AuthRefusal,
  ConnectionHost,
  EvictionReason,
  GatewayConnectionInfo,
  ReplyRewriter,
} from './connection-types';
import { GatewayConnection } from './gateway-connection';
import { checkListenerOptions, type RedisGatewayOptions, resolveTokenCheckOptions } from './options';
import type { CredentialVerifier } from './credential-verifier';
import { type Principal, TokenValidator } from './token-validator';

/** Payload of `authOk`: a token was accepted and is now in effect on a connection. */
export interface AuthOkEvent {
  readonly connectionId: number;
  readonly command: AuthCommand;
  readonly identity: string;
  readonly tokenExpiresAtMs: number;
  /** The accepted token's unique id (its `uti` claim), when it has one — never the token itself. */
  readonly tokenId: string | undefined;
}

/** Payload of `authFailed`: a token was refused (the connection keeps its previous identity). */
export interface AuthFailedEvent {
  readonly connectionId: number;
  readonly command: AuthCommand;
  readonly reason: AuthRefusal;
}

/** Payload of `evicted`: the gateway closed a connection. */
export interface EvictedEvent {
  readonly connectionId: number;
  readonly reason: EvictionReason;
  readonly identity: string | undefined;
  readonly tokenExpiresAtMs: number | undefined;
  /** When the connection was closed (epoch ms, from the gateway's clock). */
  readonly atMs: number;
}

/** Events of a gateway (Node EventEmitter). */
export interface RedisGatewayEvents {
  connection: [{ readonly connectionId: number; readonly remoteAddress: string }];
  /** A new connection was refused by `maxNewConnectionsPerSecond` (it got an error reply and was closed). */
  connectionRateLimited: [{ readonly remoteAddress: string; readonly atMs: number }];
  authOk: [AuthOkEvent];
  authFailed: [AuthFailedEvent];
  evicted: [EvictedEvent];
  close: [{ readonly connectionId: number }];
}

/** One AUTH/HELLO-with-token outcome, as kept by `authLog()` (claims only, never the token). */
export interface AuthLogEntry {
  readonly connectionId: number;
  readonly atMs: number;
  readonly command: AuthCommand;
  readonly ok: boolean;
  readonly reason?: AuthRefusal;
  readonly identity?: string;
  readonly tokenExpiresAtMs?: number;
}

/** Counters since the gateway started. */
export interface RedisGatewayStats {
  readonly connectionsAccepted: number;
  /** New connections refused by the connection-rate limit (`maxNewConnectionsPerSecond`); not in `connectionsAccepted`. */
  readonly connectionsRateLimited: number;
  readonly connectionsOpen: number;
  readonly commandsForwarded: number;
  readonly authOk: number;
  readonly authFailed: number;
  readonly authFailedByReason: Readonly<Partial<Record<AuthRefusal, number>>>;
  readonly evicted: number;
  readonly evictedByReason: Readonly<Partial<Record<EvictionReason, number>>>;
}

/** Chooses connections for `kill()`: by id, by identity (oid), or by predicate. */
export type ConnectionFilter =
  | { readonly id?: number; readonly identity?: string }
  | ((connection: GatewayConnectionInfo) => boolean);

/** Pending connections the gateway's listening socket queues (`listen(2)` backlog). */
const LISTEN_BACKLOG = 4096;

/** A running token-checking gateway in front of one redis-server. */
export interface RedisGateway {
  readonly host: string;
  readonly port: number;
  /** `redis://host:port`, or `rediss://…` with TLS. */
  readonly url: string;
  readonly tls: boolean;
  /** The redis-server the gateway forwards to. */
  readonly backend: { readonly host: string; readonly port: number };
  /** Open connections. */
  connections(): GatewayConnectionInfo[];
  stats(): RedisGatewayStats;
  /** Recent AUTH/HELLO outcomes, oldest first. */
  authLog(): readonly AuthLogEntry[];
  /** Closes the chosen connections at once (reason `killed`); all when no filter. Returns how many. */
  kill(filter?: ConnectionFilter): number;
  /** The built-in and custom data access policies. */
  accessPolicies(): AccessPolicy[];
  /** Creates or replaces a custom policy; principals holding it get its rules at once (NOPERM outside them). */
  setAccessPolicy(policy: AccessPolicy): Promise<void>;
  /** Deletes a custom policy nobody holds; false when there was none. */
  removeAccessPolicy(name: string): Promise<boolean>;
  /** Who holds which policy. */
  accessPolicyAssignments(): AccessPolicyAssignment[];
  /**
   * Gives a principal (`objectId` = its tokens' `oid`) a policy, replacing the one it had; its live
   * connections get the new rules at once. Resolves once redis-server has them.
   */
  assignAccessPolicy(assignment: AccessPolicyAssignment): Promise<void>;
  /**
   * Takes a principal's policy away: later AUTHs get `WRONGPASS` (reason `no-access-policy`) and its
   * live connections are closed (eviction reason `access-revoked`). False when it had none.
   */
  removeAccessPolicyAssignment(objectId: string): Promise<boolean>;
  on<K extends keyof RedisGatewayEvents>(event: K, listener: (...args: RedisGatewayEvents[K]) => void): this;
  once<K extends keyof RedisGatewayEvents>(
    event: K,
    listener: (...args: RedisGatewayEvents[K]) => void,
  ): this;
  off<K extends keyof RedisGatewayEvents>(event: K, listener: (...args: RedisGatewayEvents[K]) => void): this;
  /** Closes the listener and every connection, and stops the redis-server it started (if any). */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Internal wiring used by the cluster gateway. */
export interface GatewayInternals {
  /** How passwords are checked; default the Entra ID TokenValidator built from the options. */
  readonly validator?: CredentialVerifier;
  /** AUTH inside MULTI: queued as Redis does (default), or refused (ElastiCache / MemoryDB). */
  readonly authInsideMulti?: 'queue' | 'refuse';
  readonly access?: AccessControl;
  readonly rewriter?: ReplyRewriter;
  /** New connections accepted per second at most (sliding 1 s window); beyond it, refused. Default: no limit. */
  readonly maxNewConnectionsPerSecond?: number;
}

/**
 * Starts a RESP proxy that behaves like Azure Cache for Redis with Entra ID: `AUTH <oid> <token>`
 * and `HELLO … AUTH` are checked against a JWKS; connections are closed when their token expires.
 */
export function startRedisGateway(options: RedisGatewayOptions): Promise<RedisGateway> {
  return createRedisGateway(options, {});
}

/** {@link startRedisGateway} with wiring shared between the nodes of a cluster gateway. */
export async function createRedisGateway(
  options: RedisGatewayOptions,
  internals: GatewayInternals,
): Promise<RedisGateway> {
  const resolved = resolveTokenCheckOptions(options);
  checkListenerOptions(options);
  const clock = options.clock ?? systemClock;
  const access = internals.access ?? new AccessControl(options);
  const validator =
    internals.validator ??
    new TokenValidator({
      jwks: options.jwks,
      jwksCaPem: options.jwksCaPem,
      audiences: resolved.audiences,
      tenants: resolved.tenants,
      issuers: options.issuers,
      algorithms: resolved.algorithms,
      clockToleranceMs: resolved.clockToleranceMs,
      now: () => clock.now(),
    });
  let ownServer: RedisServer | undefined;
  let backend: BackendAddress;
  if (options.backend) backend = options.backend;
  else {
    try {
      ownServer = await startRedisServer();
    } catch (error) {
      throw new GatewayStartError('the gateway could not start its redis-server', { cause: error });
    }
    backend = { host: ownServer.host, port: ownServer.port };
  }
  const gateway = new Gateway(
    backend,
    validator,
    access,
    clock,
    // A token accepted thanks to the clock tolerance must not be evicted at once.
    resolved.clockToleranceMs + resolved.graceMs,
    resolved.passwordOnlyUsername,
    resolved.authLogLimit,
    internals.rewriter,
    ownServer,
    internals.authInsideMulti ?? 'queue',
    internals.maxNewConnectionsPerSecond === undefined
      ? undefined
      : new ConnectionRateLimit(internals.maxNewConnectionsPerSecond),
  );
  try {
    await gateway.listen(options.host ?? '127.0.0.1', options.port ?? 0, options.tls);
  } catch (error) {
    await gateway.stop();
    throw new GatewayStartError(
      `the gateway could not listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 0}`,
      {
        cause: error,
      },
    );
  }
  return gateway;
}

class Gateway extends EventEmitter implements RedisGateway, ConnectionHost {
  host = '';
  port = 0;
  tls = false;
  readonly users: BackendUsers;
  private server: Server | undefined;
  private readonly open = new Map<number, GatewayConnection>();
  private nextId = 1;
  private readonly log: AuthLogEntry[] = [];
  private counters = {
    connectionsAccepted: 0,
    connectionsRateLimited: 0,
    commandsForwarded: 0,
    authOk: 0,
    authFailed: 0,
    authFailedByReason: {} as Partial<Record<AuthRefusal, number>>,
    evicted: 0,
    evictedByReason: {} as Partial<Record<EvictionReason, number>>,
  };
  private stopping: Promise<void> | undefined;
  private readonly unsubscribeAccess: () => void;

  constructor(
    readonly backend: BackendAddress,
    readonly validator: CredentialVerifier,
    readonly access: AccessControl,
    readonly clock: GatewayClock,
    readonly evictionDelayMs: number,
    readonly passwordOnlyUsername: 'oid' | undefined,
    private readonly authLogLimit: number,
    readonly rewriter: ReplyRewriter | undefined,
    private readonly ownServer: RedisServer | undefined,
    readonly authInsideMulti: 'queue' | 'refuse',
    private readonly rateLimit: ConnectionRateLimit | undefined,
  ) {
    super();
    this.users = new BackendUsers(backend);
    this.unsubscribeAccess = access.onChange(() => this.applyAccessPolicies());
  }

  get url(): string {
    return `${this.tls ? 'rediss' : 'redis'}://${this.host}:${this.port}`;
  }

  async listen(host: string, port: number, tls: RedisGatewayOptions['tls']): Promise<void> {
    const onSocket = (socket: Socket) => this.accept(socket);
    const server = tls
      ? createTlsServer({ cert: tls.certPem, key: tls.keyPem }, onSocket)
      : createTcpServer({ noDelay: true }, onSocket);
    this.server = server;
    this.tls = tls !== undefined;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // Node's default backlog (511) drops the SYNs of a burst beyond it — 1,000 clients connecting
      // at once — and the kernel retries them only after a second; Redis' own default is 511 too,
      // but a production cache sits behind a load balancer. The kernel caps this at somaxconn.
      server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // A failed TLS handshake must not take the gateway down.
    server.on('tlsClientError', () => undefined);
    const address = server.address();
    this.host = host;
    this.port = typeof address === 'object' && address ? address.port : port;
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    if (this.rateLimit && !this.rateLimit.admit(this.clock.now())) {
      this.refuseForRate(socket);
      return;
    }
    const connection = new GatewayConnection(this.nextId++, socket, this);
    this.open.set(connection.id, connection);
    this.counters.connectionsAccepted++;
    this.emit('connection', { connectionId: connection.id, remoteAddress: connection.remoteAddress });
  }

  /** As redis-server does at `maxclients`: an error reply, then the connection is closed. */
  private refuseForRate(socket: Socket): void {
    this.counters.connectionsRateLimited++;
    socket.on('error', () => undefined);
    socket.end(CONNECTION_RATE_LIMITED_REPLY);
    // The client closes its side on reading the reply; one that does not is cut off after 1 s.
    setTimeout(() => socket.destroy(), 1000).unref();
    this.emit('connectionRateLimited', { remoteAddress: socket.remoteAddress ?? '', atMs: this.clock.now() });
  }

  connections(): GatewayConnectionInfo[] {
    return [...this.open.values()].map((connection) => connection.info());
  }

  stats(): RedisGatewayStats {
    const c = this.counters;
    return {
      ...c,
      connectionsOpen: this.open.size,
      authFailedByReason: { ...c.authFailedByReason },
      evictedByReason: { ...c.evictedByReason },
    };
  }

  authLog(): readonly AuthLogEntry[] {
    return [...this.log];
  }

  kill(filter?: ConnectionFilter): number {
    const matches = (info: GatewayConnectionInfo) => {
      if (filter === undefined) return true;
      if (typeof filter === 'function') return filter(info);
      return (
        (filter.id === undefined || filter.id === info.id) &&
        (filter.identity === undefined || filter.identity === info.identity)
      );
    };
    let killed = 0;
    for (const connection of [...this.open.values()]) {
      if (matches(connection.info())) {
        connection.evict('killed');
        killed++;
      }
    }
    return killed;
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

  /**
   * Brings every backend user in line with the access policies: changed rules are applied (Redis
   * applies them to live connections), and a principal left without a policy loses its
   * connections and its backend user.
   */
  private async applyAccessPolicies(): Promise<void> {
    if (this.stopping) return;
    await Promise.all(
      this.users.objectIds.map(async (oid) => {
        const policy = this.access.policyFor(oid);
        if (policy) {
          if (policy.permissions !== this.users.permissionsOf(oid))
            await this.users.ensure(oid, policy.permissions);
          return;
        }
        for (const connection of [...this.open.values()]) {
          if (connection.info().identity === oid) connection.evict('access-revoked');
        }
        await this.users.remove(oid);
      }),
    );
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.unsubscribeAccess();
      for (const connection of [...this.open.values()]) connection.close();
      const server = this.server;
      if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
      this.users.close();
      await this.ownServer?.stop();
    })();
    return this.stopping;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  // ConnectionHost
  commandForwarded(count: number): void {
    this.counters.commandsForwarded += count;
  }

  authSucceeded(connectionId: number, principal: Principal, command: AuthCommand): void {
    this.counters.authOk++;
    this.record({
      connectionId,
      atMs: this.clock.now(),
      command,
      ok: true,
      identity: principal.oid,
      tokenExpiresAtMs: principal.expiresAtMs,
    });
    this.emit('authOk', {
      connectionId,
      command,
      identity: principal.oid,
      tokenExpiresAtMs: principal.expiresAtMs,
      tokenId: principal.tokenId,
    });
  }

  authFailed(connectionId: number, reason: AuthRefusal, command: AuthCommand): void {
    this.counters.authFailed++;
    this.counters.authFailedByReason[reason] = (this.counters.authFailedByReason[reason] ?? 0) + 1;
    this.record({ connectionId, atMs: this.clock.now(), command, ok: false, reason });
    this.emit('authFailed', { connectionId, command, reason });
  }

  evicted(info: GatewayConnectionInfo, reason: EvictionReason): void {
    this.counters.evicted++;
    this.counters.evictedByReason[reason] = (this.counters.evictedByReason[reason] ?? 0) + 1;
    this.emit('evicted', {
      connectionId: info.id,
      reason,
      identity: info.identity,
      tokenExpiresAtMs: info.tokenExpiresAtMs,
      atMs: this.clock.now(),
    });
  }

  closed(connectionId: number): void {
    if (this.open.delete(connectionId)) this.emit('close', { connectionId });
  }

  private record(entry: AuthLogEntry): void {
    if (this.authLogLimit === 0) return;
    this.log.push(entry);
    if (this.log.length > this.authLogLimit) this.log.shift();
  }
}
