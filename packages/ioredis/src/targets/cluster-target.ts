import type { CredentialsGeneration, Destination } from '@authx/token-core';
import type { TrackedConnection } from '../connection';
import { type ClusterShape, destinationOf, type RedisOptionsShape, type RedisShape } from '../ioredis-shapes';

/** What a bound cluster needs from the binding. */
export interface ClusterHost {
  usable(): CredentialsGeneration | undefined;
  track(redis: RedisShape, label: string): TrackedConnection;
  /** Valid credentials for a connect, waiting for some up to `timeoutMs` when there are none. */
  acquire(timeoutMs: number): Promise<CredentialsGeneration>;
  readonly credentialsTimeoutMs: number | undefined;
  /** Whether credentials may go to `destination` (TLS or loopback, `allowedHosts`). */
  allowsTransport(destination: Destination): boolean;
  /** The cluster ended (closed by its owner): the binding may release its subscription. */
  ended(): void;
}

/**
 * An ioredis `Cluster`: every node connection (found through `nodes()` and the `+node` event, so
 * also the ones opened later after MOVED, failover or a topology refresh), the pub/sub
 * subscriber and each sharded subscriber. ioredis copies the credentials into many places — the
 * cluster's `redisOptions`, the connection pool's own copy of them, each node's options (the
 * subscriber copies a random node's) — and every copy is kept current, so whatever ioredis opens
 * next starts with the newest credentials.
 */
export class ClusterTarget {
  readonly target: ClusterShape;
  readonly #host: ClusterHost;
  readonly #label: string;
  readonly #known = new Map<RedisShape, TrackedConnection>();
  readonly #onNode = () => this.scan();
  readonly #onEnd = () => this.#host.ended();
  #restoreSelectSubscriber: (() => void) | undefined;
  #restoreConnect: (() => void) | undefined;
  #waiting: Promise<void> | undefined;
  #stopped = false;

  constructor(host: ClusterHost, cluster: ClusterShape, label: string) {
    this.target = cluster;
    this.#host = host;
    this.#label = label;
    cluster.on('+node', this.#onNode);
    cluster.on('refresh', this.#onNode);
    cluster.on('ready', this.#onNode);
    cluster.on('end', this.#onEnd);
    cluster.on('close', this.#onEnd);
    this.#hookSubscriber();
    this.#hookConnect();
    this.applyCredentials();
    this.scan();
  }

  connections(): Iterable<TrackedConnection> {
    return this.#known.values();
  }

  isOpen(): boolean {
    if (this.#waiting) return true;
    const status = this.target.status;
    if (status === 'close' || status === 'disconnecting') {
      // Closed by its owner (ioredis may leave a disconnected cluster at 'close').
      return (this.target as { manuallyClosing?: boolean }).manuallyClosing !== true;
    }
    return status !== 'end' && status !== 'wait';
  }

  /** Every copy of the credentials ioredis keeps for this cluster, set to the newest ones. */
  applyCredentials(generation = this.#host.usable()): void {
    if (!generation) return;
    // The shared copies reach every connection ioredis opens, tracked or not yet: they hold the
    // token only while every node the cluster knows of may receive it. Otherwise each tracked
    // node gets it in its own options, after its own check.
    if (this.#sharedCopiesAllowed()) {
      this.#setEverywhere(generation.credentials.username, generation.credentials.password);
    } else {
      this.#setEverywhere(undefined, undefined);
    }
    for (const connection of this.#known.values()) connection.applyCredentials(generation);
  }

  /**
   * The credentials expired with nothing newer: no copy may keep them, so a connection ioredis
   * opens by itself meanwhile (a slots refresher, a new subscriber) sends none rather than an
   * expired one. Tracked connections wait for new credentials before they connect.
   */
  forgetCredentials(): void {
    this.#setEverywhere(undefined, undefined);
    for (const connection of this.#known.values()) connection.forgetCredentials();
  }

  /** True when every seed and every known node may receive credentials (with the cluster's TLS). */
  #sharedCopiesAllowed(): boolean {
    const cluster = this.target as ClusterShape & { startupNodes?: unknown };
    const tls = cluster.options.redisOptions?.tls;
    const seeds = Array.isArray(cluster.startupNodes) ? cluster.startupNodes : [];
    const destinations = [
      ...seeds.map((node) => {
        const options = seedOptions(node);
        return destinationOf({ ...options, tls: options.tls ?? tls });
      }),
      ...[...this.#known.keys()].map((redis) => destinationOf(redis.options)),
    ];
    return destinations.every((destination) => this.#host.allowsTransport(destination));
  }

  #setEverywhere(username: string | undefined, password: string | undefined): void {
    const set = (options: RedisOptionsShape | undefined) => {
      if (!options) return;
      if (username === undefined) delete options.username;
      else options.username = username;
      if (password === undefined) delete options.password;
      else options.password = password;
    };
    const cluster = this.target;
    cluster.options.redisOptions ??= {};
    set(cluster.options.redisOptions);
    set(cluster.connectionPool?.redisOptions);
    // Seed nodes given with credentials of their own would override the pool's.
    for (const node of Object.values(cluster.connectionPool?.specifiedOptions ?? {})) {
      if (node && (Object.hasOwn(node, 'password') || Object.hasOwn(node, 'username'))) set(node);
    }
  }

  /** Finds connections not tracked yet; syncs every tracked one. */
  sweep(): void {
    this.scan();
    this.applyCredentials();
    for (const connection of [...this.#known.values()]) connection.sync();
  }

  scan(): void {
    if (this.#stopped) return;
    const cluster = this.target;
    let nodes: RedisShape[] = [];
    try {
      nodes = cluster.nodes('all');
    } catch {
      // Not connected yet.
    }
    for (const node of nodes) this.#discover(node, address(node));
    const subscriber = cluster.subscriber?.subscriber;
    if (subscriber) this.#discover(subscriber, `subscriber@${address(subscriber)}`);
    const sharded = cluster.shardedSubscribers?.shardedSubscribers;
    if (sharded instanceof Map) {
      for (const entry of sharded.values()) {
        const instance = entry?.instance;
        if (instance) this.#discover(instance, `sharded-subscriber@${address(instance)}`);
      }
    }
  }

  stop(): void {
    this.#stopped = true;
    const cluster = this.target;
    cluster.off('+node', this.#onNode);
    cluster.off('refresh', this.#onNode);
    cluster.off('ready', this.#onNode);
    cluster.off('end', this.#onEnd);
    cluster.off('close', this.#onEnd);
    this.#restoreSelectSubscriber?.();
    this.#restoreSelectSubscriber = undefined;
    this.#restoreConnect?.();
    this.#restoreConnect = undefined;
    for (const connection of [...this.#known.values()]) connection.stop();
    this.#known.clear();
  }

  // The cluster's first connect (and each reconnect) asks its seed nodes for the topology with a
  // connection of its own: it must start with valid credentials in the options.
  #hookConnect(): void {
    const cluster = this.target as ClusterShape & { connect(): Promise<void> };
    const original = cluster.connect;
    if (typeof original !== 'function') return;
    const target = this;
    const wrapper = function connect(this: unknown): Promise<void> {
      const usable = target.#host.usable();
      if (usable || target.#stopped) {
        if (usable) target.applyCredentials(usable);
        return original.call(this);
      }
      target.#waiting ??= target.#host
        .acquire(target.#host.credentialsTimeoutMs ?? 10_000)
        .then((generation) => {
          target.applyCredentials(generation);
          return original.call(cluster);
        })
        .finally(() => {
          target.#waiting = undefined;
        });
      return target.#waiting;
    };
    cluster.connect = wrapper;
    this.#restoreConnect = () => {
      if (cluster.connect !== wrapper) return;
      delete (cluster as { connect?: unknown }).connect;
      if (cluster.connect !== original) cluster.connect = original;
    };
  }

  // The subscriber is replaced by a new connection whenever the previous one ends: found at once.
  #hookSubscriber(): void {
    const holder = this.target.subscriber;
    if (!holder || typeof holder.selectSubscriber !== 'function') return;
    const original = holder.selectSubscriber;
    const target = this;
    const wrapper = function selectSubscriber(this: unknown) {
      const result = original.call(this);
      target.scan();
      return result;
    };
    holder.selectSubscriber = wrapper;
    this.#restoreSelectSubscriber = () => {
      if (holder.selectSubscriber !== wrapper) return;
      delete (holder as { selectSubscriber?: unknown }).selectSubscriber;
      if (holder.selectSubscriber !== original) holder.selectSubscriber = original;
    };
  }

  #discover(redis: RedisShape, name: string): void {
    if (this.#known.has(redis) || redis.status === 'end') return;
    const connection = this.#host.track(redis, `${this.#label}/${name}`);
    this.#known.set(redis, connection);
    // A node that may not receive credentials: none of the shared copies may hold them any more
    // (its own options are cleared by its connection, whose connects are refused).
    if (!this.#host.allowsTransport(destinationOf(redis.options))) this.#setEverywhere(undefined, undefined);
    connection.onStop(() => this.#known.delete(redis));
    connection.sync();
  }
}

/** A seed node as ioredis accepts it: `{ host, port }`, a port number, `'host:port'` or a URL. */
function seedOptions(node: unknown): RedisOptionsShape {
  if (typeof node === 'number') return { port: node };
  if (typeof node === 'string') {
    if (node.includes('://')) {
      try {
        const url = new URL(node);
        return {
          host: url.hostname || undefined,
          port: url.port ? Number(url.port) : undefined,
          tls: url.protocol === 'rediss:' || undefined,
        };
      } catch {
        return { host: node };
      }
    }
    const colon = node.lastIndexOf(':');
    return colon > 0 ? { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) } : { host: node };
  }
  return typeof node === 'object' && node !== null ? (node as RedisOptionsShape) : {};
}

function address(redis: RedisShape): string {
  const { host, port, path } = redis.options;
  return path ?? `${host ?? 'localhost'}:${port ?? 6379}`;
}
