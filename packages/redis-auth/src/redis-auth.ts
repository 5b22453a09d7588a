import { type BasicAuth, InvalidOptionError, TypedEventEmitter, type TypedEvents } from '@authx/token-core';
import { TrackedConnection } from './connection';
import { CredentialsSource } from './credentials-source';
import { BindingDisposedError, UnsupportedTargetError } from './errors';
import type { RedisAuthEvents } from './events';
import { type RedisAuthOptions, type ResolvedRedisAuthOptions, resolveRedisAuthOptions } from './options';
import { type AsyncCredentialsProvider, isStreamingProvider, type StreamingProvider } from './provider';
import { isClient, isCluster, isPool } from './redis-shapes';
import { ClientTarget } from './targets/client-target';
import { ClusterTarget } from './targets/cluster-target';
import { PoolTarget } from './targets/pool-target';
import type { BoundTarget, TargetHost } from './targets/target';

/** A connection's state, as reported by {@link RedisAuth.connections}. */
export interface ConnectionStatus {
  /** e.g. `client#1`, `pool#1/client#2`, `cluster#1/127.0.0.1:7000`, `cluster#1/pubsub@127.0.0.1:7001`. */
  readonly label: string;
  readonly isOpen: boolean;
  /** Generation of the credentials it is known to use; `undefined` until its first handshake. */
  readonly generation: number | undefined;
  /** AUTH commands the binding sent on it (handshakes not counted). */
  readonly authCommandsSent: number;
}

/** Options of {@link RedisAuth.bind}. */
export interface BindOptions {
  /** Label of the target in events; default `client#N`, `pool#N` or `cluster#N`. */
  label?: string;
}

// A connection can be bound once: two bindings would both wrap its sendCommand and AUTH it.
const boundClients = new WeakSet<object>();

/**
 * Binds one streaming credentials provider to node-redis clients, pools and clusters.
 *
 * It is itself the `credentialsProvider` to give node-redis (an `async-credentials-provider`):
 * every connect and reconnect handshake gets the newest credentials, and node-redis never
 * subscribes to the provider. The binding holds ONE provider subscription (opened by the first
 * handshake, closed when the last bound connection is closed) and re-authenticates each live
 * connection after every change.
 */
export class RedisAuth implements AsyncCredentialsProvider {
  readonly type = 'async-credentials-provider' as const;
  readonly #provider: StreamingProvider;
  readonly #options: ResolvedRedisAuthOptions;
  readonly #emitter: TypedEventEmitter<RedisAuthEvents>;
  readonly #source: CredentialsSource;
  readonly #targets = new Map<object, BoundTarget>();
  readonly #connections = new Set<TrackedConnection>();
  readonly #counters = { client: 0, pool: 0, cluster: 0 };
  readonly #host: TargetHost;
  #updateCount = 0;
  #disposed = false;

  constructor(provider: StreamingProvider, options: RedisAuthOptions = {}) {
    if (!isStreamingProvider(provider)) {
      throw new InvalidOptionError(
        'provider',
        "a streaming credentials provider { type: 'streaming-credentials-provider', subscribe(listener), onReAuthenticationError(error) }",
        provider,
      );
    }
    this.#provider = provider;
    this.#options = resolveRedisAuthOptions(options);
    this.#emitter = new TypedEventEmitter<RedisAuthEvents>((error, event) => {
      if (event !== 'listenerError') this.#emitter.emit('listenerError', { event, error });
    });
    this.#source = new CredentialsSource(provider, {
      expiresAtMs: this.#options.expiresAtMs,
      clock: this.#options.clock,
      onUpdate: (generation) => {
        this.#updateCount++;
        this.#emitter.emit('credentialsUpdated', {
          generation: generation.generation,
          expiresAtMs: generation.expiresAtMs,
          connections: this.#connections.size,
        });
        for (const target of this.#targets.values()) target.sweep();
      },
      onError: (error) => this.#emitter.emit('providerError', { error }),
    });
    this.#host = this.#createTargetHost();
  }

  /** Subscribe to binding events: `auth.events.on('reauthFailed', e => …)` returns a Disposable. */
  get events(): TypedEvents<RedisAuthEvents> {
    return this.#emitter;
  }

  /** Called by node-redis on every handshake: the newest credentials (subscribing first if needed). */
  async credentials(): Promise<BasicAuth> {
    if (this.#disposed) throw new BindingDisposedError();
    const { credentials } = await this.#source.acquire();
    return { username: credentials.username, password: credentials.password };
  }

  /**
   * Binds a client (`createClient`), pool (`createClientPool`) or cluster (`createCluster`) and
   * returns it. A client is switched to this binding's credentials here; a pool or cluster must
   * be created with `credentialsProvider: auth` (cluster: in `defaults`) so that its first
   * connections already use them. Binding an already connected target re-authenticates it.
   */
  bind<T extends object>(target: T, options: BindOptions = {}): T {
    if (this.#disposed) throw new BindingDisposedError();
    if (options.label !== undefined && typeof options.label !== 'string') {
      throw new InvalidOptionError('label', 'a string', options.label);
    }
    if (this.#targets.has(target)) return target;
    const prefix = this.#options.label === '' ? '' : `${this.#options.label}/`;
    const host = this.#host;
    let bound: BoundTarget;
    if (isClient(target)) {
      const self = target._self ?? target;
      if (boundClients.has(self))
        throw new InvalidOptionError('target', 'a client not bound to another RedisAuth', 'a bound client');
      bound = new ClientTarget(host, target, prefix + (options.label ?? `client#${++this.#counters.client}`));
    } else if (isPool(target)) {
      bound = new PoolTarget(host, target, prefix + (options.label ?? `pool#${++this.#counters.pool}`));
    } else if (isCluster(target)) {
      bound = new ClusterTarget(
        host,
        target,
        prefix + (options.label ?? `cluster#${++this.#counters.cluster}`),
      );
    } else {
      throw new UnsupportedTargetError(describe(target));
    }
    this.#targets.set(target, bound);
    bound.sweep();
    return target;
  }

  /** Stops re-authenticating `target`'s connections (they keep the credentials they have). */
  unbind(target: object): void {
    const bound = this.#targets.get(target);
    if (!bound) return;
    this.#targets.delete(target);
    bound.stop();
    this.#releaseIfIdle();
  }

  /** The tracked connections and the credentials generation each uses. */
  connections(): ConnectionStatus[] {
    return [...this.#connections].map((connection) => ({
      label: connection.label,
      isOpen: connection.isOpen,
      generation: connection.authGeneration,
      authCommandsSent: connection.authCommandsSent,
    }));
  }

  /** Generation of the newest credentials (0 before the first). */
  get generation(): number {
    return this.#source.current?.generation ?? 0;
  }

  /** True while the binding holds a subscription to the provider. */
  get isSubscribed(): boolean {
    return this.#source.isSubscribed;
  }

  /** How many times the binding subscribed to the provider (once per period with live connections). */
  get subscriptionsOpened(): number {
    return this.#source.subscriptionsOpened;
  }

  /** Unbinds everything and closes the provider subscription; later handshakes are refused. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const target of [...this.#targets.keys()]) this.unbind(target);
    this.#source.release();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  // One host for every target and connection: per-connection closures would cost heap on each of
  // possibly thousands of connections.
  #createTargetHost(): TargetHost {
    const auth = this;
    const host: TargetHost = {
      source: this.#source,
      options: this.#options,
      events: this.#emitter,
      credentialsProvider: this,
      get updateCount() {
        return auth.#updateCount;
      },
      reportToProvider(error) {
        try {
          auth.#provider.onReAuthenticationError(error);
        } catch {
          // A throwing provider callback must not break re-authentication of other connections.
        }
      },
      connectionClosed() {
        auth.#releaseIfIdle();
      },
      connectionStopped(connection) {
        auth.#connections.delete(connection);
        boundClients.delete(connection.client._self ?? connection.client);
        auth.#emitter.emit('connectionRemoved', { connection: connection.label });
      },
      track(client, label, options) {
        boundClients.add(client._self ?? client);
        const connection = new TrackedConnection(host, client, label, options);
        auth.#connections.add(connection);
        auth.#emitter.emit('connectionAdded', { connection: label });
        return connection;
      },
    };
    return host;
  }

  // No live connection left: drop the subscription (and with it the provider's refresh timers).
  // The next handshake subscribes again.
  #releaseIfIdle(): void {
    for (const connection of this.#connections) if (connection.isOpen) return;
    this.#source.release();
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ? `an instance of ${value.constructor.name}` : 'an object';
}
