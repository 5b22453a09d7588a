import {
  type AuthxError,
  type BasicAuth,
  BindingDisposedError,
  type ConnectionStateKind,
  type CredentialsGeneration,
  CredentialsSource,
  type CredentialsSourceState,
  InvalidOptionError,
  type TypedEventEmitter,
  type TypedEvents,
} from '@authx/token-core';
import { ClientHooks, type DormantOwner } from './client-hooks';
import { TrackedConnection } from './connection';
import { RedisAuthEventEmitter } from './diagnostics';
import { AlreadyBoundError, UnsupportedTargetError } from './errors';
import type { RedisAuthEvents } from './events';
import { computeHealth, type RedisAuthHealth } from './health';
import {
  DEFAULT_REDIS_AUTH_OPTIONS,
  type RedisAuthOptions,
  type ResolvedRedisAuthOptions,
  resolveRedisAuthOptions,
} from './options';
import { type AsyncCredentialsProvider, isStreamingProvider, type StreamingProvider } from './provider';
import { type ClientShape, isClient, isCluster, isPool } from './redis-shapes';
import { type ClientOptionsShape, destinationOf, TransportGuard } from './transport';
import { ClientTarget } from './targets/client-target';
import { ClusterTarget } from './targets/cluster-target';
import { PoolTarget } from './targets/pool-target';
import type { BoundTarget, TargetHost } from './targets/target';

/** A connection's state, as reported by {@link RedisAuth.connections}. */
export interface ConnectionStatus {
  /** e.g. `client#1`, `pool#1/client#2`, `cluster#1/127.0.0.1:7000`, `cluster#1/pubsub@127.0.0.1:7001`. */
  readonly label: string;
  readonly isOpen: boolean;
  /** Where it is in its lifecycle (see the README's state diagram). */
  readonly state: ConnectionStateKind;
  /** Generation of the credentials the server holds for it; `undefined` while unknown. */
  readonly generation: number | undefined;
  /** AUTH commands the binding sent on it (handshakes not counted). */
  readonly authCommandsSent: number;
}

/** Options of {@link RedisAuth.bind}. */
export interface BindOptions {
  /** Label of the target in events; default `client#N`, `pool#N` or `cluster#N`. */
  label?: string;
}

/**
 * Binds one streaming credentials provider to node-redis clients, pools and clusters.
 *
 * It holds ONE provider subscription (opened by the first handshake, closed when nothing bound
 * is open) and re-authenticates each live connection after every change. Each bound client's
 * handshakes ask the binding (through a per-client `credentialsProvider`, so the binding knows
 * which credentials each connection holds); a pool or cluster is created with
 * `credentialsProvider: auth`, which makes the binding itself an `async-credentials-provider`.
 * Handshakes never get expired credentials; after a provider failure the binding recovers by
 * itself (see the `recovery` option).
 */
export class RedisAuth implements AsyncCredentialsProvider {
  readonly type = 'async-credentials-provider' as const;
  readonly #provider: StreamingProvider;
  readonly #options: ResolvedRedisAuthOptions;
  readonly #emitter: TypedEventEmitter<RedisAuthEvents>;
  readonly #source: CredentialsSource;
  readonly #targets = new Map<object, BoundTarget>();
  readonly #connections = new Set<TrackedConnection>();
  readonly #counters = { client: 0, pool: 0, cluster: 0, poolOptions: 0 };
  readonly #host: TargetHost;
  readonly #guard: TransportGuard;
  // Bound standalone clients, held weakly: a closed client the application dropped is never kept
  // alive by the binding, and dispose() can still unbind the ones that live on, closed.
  readonly #boundClients = new Set<WeakRef<ClientHooks>>();
  // Collected or unbound entries are pruned once the set has doubled since the last pruning:
  // amortised O(1) per bind (pruning on every bind made binding N clients cost O(N²)).
  #pruneBoundClientsAt = MIN_PRUNE_SIZE;
  #releaseScheduled = false;
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
    this.#emitter = new RedisAuthEventEmitter((error, event) => {
      if (event !== 'listenerError') this.#emitter.emit('listenerError', { event, error });
    });
    this.#source = new CredentialsSource(provider, {
      expiresAtMs: this.#options.expiresAtMs,
      clock: this.#options.clock,
      recovery: this.#options.recovery,
      onUpdate: (generation) => this.#onUpdate(generation),
      onError: (error) => this.#onProviderError(error),
    });
    this.#guard = new TransportGuard(
      this.#options.transport,
      this.#options.label === '' ? 'A RedisAuth binding' : `The RedisAuth binding "${this.#options.label}"`,
      (connection, host, error) => this.#emitter.emit('transportRefused', { connection, host, error }),
    );
    this.#host = this.#createTargetHost();
  }

  /** Subscribe to binding events: `auth.events.on('reauthFailed', e => …)` returns a Disposable. */
  get events(): TypedEvents<RedisAuthEvents> {
    return this.#emitter;
  }

  /**
   * What node-redis calls on the handshakes of pool and cluster connections (and of any client
   * created with `credentialsProvider: auth`): the newest valid credentials, waiting up to
   * `credentialsTimeoutMs` (default 5 s) for some when there are none.
   */
  async credentials(): Promise<BasicAuth> {
    if (this.#disposed) throw new BindingDisposedError();
    // node-redis does not say which connection asks: check every destination that may ask here
    // before the binding can tell its connections apart (cluster discovery to the root nodes).
    for (const target of this.#targets.values()) {
      for (const { destination, label } of target.sharedDestinations?.() ?? []) {
        this.#guard.check(destination, label);
      }
    }
    return this.#unattributedCredentials();
  }

  async #unattributedCredentials(): Promise<BasicAuth> {
    if (this.#disposed) throw new BindingDisposedError();
    try {
      const { credentials } = await this.#acquire(
        this.#options.credentialsTimeoutMs ?? DEFAULT_REDIS_AUTH_OPTIONS.credentialsTimeoutMs,
      );
      return { username: credentials.username, password: credentials.password };
    } finally {
      // A handshake of something not bound (an unbound client, a duplicate) must not keep the
      // subscription alive once nothing bound is open.
      this.#scheduleReleaseIfIdle();
    }
  }

  /**
   * Binds a client (`createClient`), pool (`createClientPool`) or cluster (`createCluster`) and
   * returns it. A client is switched to this binding's credentials here; a pool or cluster must
   * be created with `credentialsProvider: auth` (cluster: in `defaults`) so that its first
   * connections already use them. Binding an already connected target re-authenticates it.
   */
  bind<T extends object>(target: T, options: BindOptions = {}): T {
    if (this.#disposed) throw new BindingDisposedError();
    if (typeof options !== 'object' || options === null)
      throw new InvalidOptionError('options', 'an object', options);
    if (options.label !== undefined && typeof options.label !== 'string') {
      throw new InvalidOptionError('label', 'a string', options.label);
    }
    const prefix = this.#options.label === '' ? '' : `${this.#options.label}/`;
    if (isClient(target)) {
      const hooks = ClientHooks.of(target);
      if (hooks.binding === this) return target;
      if (hooks.binding !== undefined || hooks.observer !== undefined) {
        throw new AlreadyBoundError(hooks.observer ? 'a tracked connection' : 'a client');
      }
      this.#bindClient(hooks, prefix + (options.label ?? `client#${++this.#counters.client}`));
      return target;
    }
    if (this.#targets.has(target)) return target;
    let bound: BoundTarget;
    if (isPool(target)) {
      bound = new PoolTarget(this.#host, target, prefix + (options.label ?? `pool#${++this.#counters.pool}`));
    } else if (isCluster(target)) {
      bound = new ClusterTarget(
        this.#host,
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

  /**
   * Client options for `createClientPool()`: `options` with a credentials provider of this binding
   * that checks the transport policy against these options' destination before every handshake of
   * the pool's connections. node-redis does not say which pooled client asks for credentials, so a
   * pool created with `credentialsProvider: auth` has its first connections checked only once
   * they serve a task; with these options every one is checked before its first AUTH.
   *
   * ```ts
   * const pool = auth.bind(createClientPool(auth.poolOptions({ url }), { minimum: 4 }));
   * ```
   */
  poolOptions<O extends object>(
    options: O,
    bindOptions: BindOptions = {},
  ): O & { credentialsProvider: AsyncCredentialsProvider } {
    if (this.#disposed) throw new BindingDisposedError();
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new InvalidOptionError('options', 'node-redis client options (an object)', options);
    }
    if (typeof bindOptions !== 'object' || bindOptions === null) {
      throw new InvalidOptionError('bindOptions', 'an object', bindOptions);
    }
    if (bindOptions.label !== undefined && typeof bindOptions.label !== 'string') {
      throw new InvalidOptionError('label', 'a string', bindOptions.label);
    }
    const prefix = this.#options.label === '' ? '' : `${this.#options.label}/`;
    const label = prefix + (bindOptions.label ?? `pool-options#${++this.#counters.poolOptions}`);
    // Read once: the pool keeps this very object and builds every client from it.
    const destination = destinationOf(options as ClientOptionsShape);
    const provider: AsyncCredentialsProvider = {
      type: 'async-credentials-provider',
      credentials: async () => {
        if (this.#disposed) throw new BindingDisposedError();
        this.#guard.check(destination, label);
        return this.#unattributedCredentials();
      },
    };
    return { ...options, credentialsProvider: provider };
  }

  /**
   * Stops re-authenticating `target`'s connections (they keep the credentials they have) and
   * restores what the binding replaced on them (`credentialsProvider`, wrapped methods). The
   * application's listeners are never touched.
   */
  unbind(target: object): void {
    if (isClient(target)) {
      const hooks = ClientHooks.find(target);
      if (!hooks || hooks.binding !== this) return;
      hooks.binding = undefined;
      hooks.dormant = undefined;
      hooks.label = undefined;
      const bound = this.#targets.get(hooks.self);
      this.#targets.delete(hooks.self);
      bound?.stop();
      hooks.restore();
    } else {
      const bound = this.#targets.get(target);
      if (!bound) return;
      this.#targets.delete(target);
      bound.stop();
    }
    this.#releaseIfIdle();
  }

  /** The tracked connections (open, or reconnecting) and what each holds. */
  connections(): ConnectionStatus[] {
    return [...this.#connections].map((connection) => ({
      label: connection.label,
      isOpen: connection.isOpen,
      state: connection.state.kind,
      generation: connection.authGeneration,
      authCommandsSent: connection.authCommandsSent,
    }));
  }

  /**
   * For readiness probes: the credentials' status (the provider's `status()` when it has one, as
   * token-core's and @authx/entraid's providers do), and how many open connections are authenticated.
   * `ready` is true when the credentials are usable and every open connection is authenticated.
   */
  health(): RedisAuthHealth {
    return computeHealth(this.#provider, this.#source.state, this.connections());
  }

  /** Generation of the newest credentials (0 before the first). */
  get generation(): number {
    return (
      this.#source.usable()?.generation ??
      (this.#source.state.kind === 'valid' ? this.#source.state.generation : 0)
    );
  }

  /** Where the binding's credentials are in their lifecycle (`idle`, `subscribing`, `valid`, `recovering`). */
  get credentialsState(): CredentialsSourceState {
    return this.#source.state;
  }

  /** True while the binding holds (or is opening, or recovering) a subscription to the provider. */
  get isSubscribed(): boolean {
    return this.#source.isActive;
  }

  /** How many times the binding subscribed to the provider. */
  get subscriptionsOpened(): number {
    return this.#source.subscriptionsOpened;
  }

  /** Unbinds everything and closes the provider subscription; later handshakes are refused. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const target of [...this.#targets.keys()]) {
      const bound = this.#targets.get(target);
      this.unbind(bound?.target ?? target);
    }
    for (const ref of this.#boundClients) {
      const hooks = ref.deref();
      if (hooks) this.unbind(hooks.self);
    }
    this.#boundClients.clear();
    this.#source.close();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #bindClient(hooks: ClientHooks, label: string): void {
    if (this.#boundClients.size >= this.#pruneBoundClientsAt) {
      for (const ref of this.#boundClients) {
        const bound = ref.deref();
        if (!bound || bound.binding !== this) this.#boundClients.delete(ref);
      }
      this.#pruneBoundClientsAt = Math.max(MIN_PRUNE_SIZE, 2 * this.#boundClients.size);
    }
    this.#boundClients.add(new WeakRef(hooks));
    hooks.binding = this;
    hooks.label = label;
    hooks.dormant = this.#dormantOwner;
    hooks.swapProvider();
    const connection = this.#trackClient(hooks, label);
    connection.sync();
  }

  // The owner of every closed bound client of this binding (one object, not one per client).
  readonly #dormantOwner: DormantOwner = {
    revive: (hooks) =>
      this.#disposed || hooks.binding !== this ? undefined : this.#trackClient(hooks, hooks.label ?? ''),
    credentials: () => this.credentials(),
  };

  #trackClient(hooks: ClientHooks, label: string): TrackedConnection {
    const bound = new ClientTarget(this.#host, hooks.self, label);
    this.#targets.set(hooks.self, bound);
    return bound.connection;
  }

  #acquire(timeoutMs: number): Promise<CredentialsGeneration> {
    if (this.#disposed) return Promise.reject(new BindingDisposedError());
    return this.#source.acquire(timeoutMs);
  }

  #onUpdate(generation: CredentialsGeneration): void {
    this.#emitter.emit('credentialsUpdated', {
      generation: generation.generation,
      expiresAtMs: generation.expiresAtMs,
      connections: this.#connections.size,
    });
    for (const target of [...this.#targets.values()]) target.sweep();
  }

  #onProviderError(error: AuthxError): void {
    this.#emitter.emit('providerError', { error });
    this.#reportToProvider(error);
  }

  #reportToProvider(error: Error): void {
    try {
      this.#provider.onReAuthenticationError(error);
    } catch {
      // A throwing provider callback must not break the binding.
    }
  }

  // One host for every target and connection: per-connection closures would cost heap on each of
  // possibly thousands of connections.
  #createTargetHost(): TargetHost {
    const auth = this;
    const host: TargetHost = {
      source: this.#source,
      keepSubscriberCredentials: this.#provider.connectionsOutliveCredentials === true,
      options: this.#options,
      events: this.#emitter,
      sharedProvider: this,
      checkTransport: (destination, connection) => auth.#guard.check(destination, connection),
      duplicateProvider(label) {
        let client: ClientShape | undefined;
        const provider: AsyncCredentialsProvider = {
          type: 'async-credentials-provider',
          credentials: async () => {
            if (client === undefined) throw new Error('This duplicate is not attached to its RedisAuth');
            auth.#guard.check(destinationOf(client.options as ClientOptionsShape), label);
            return auth.#unattributedCredentials();
          },
        };
        return {
          provider,
          attach(copy) {
            client = (copy._self ?? copy) as ClientShape;
          },
        };
      },
      acquire: (timeoutMs) => auth.#acquire(timeoutMs),
      reportToProvider: (error) => auth.#reportToProvider(error),
      connectionStopped(connection) {
        auth.#connections.delete(connection);
        // A standalone client's target goes with its connection (a later connect() tracks it anew).
        const bound = auth.#targets.get(connection.client);
        if (bound instanceof ClientTarget && bound.connection === connection)
          auth.#targets.delete(connection.client);
        auth.#emitter.emit('connectionRemoved', { connection: connection.label });
        auth.#scheduleReleaseIfIdle();
      },
      track(client, label, options) {
        const connection = new TrackedConnection(host, client, label, options);
        auth.#connections.add(connection);
        auth.#emitter.emit('connectionAdded', { connection: label });
        return connection;
      },
    };
    return host;
  }

  #scheduleReleaseIfIdle(): void {
    if (this.#releaseScheduled) return;
    this.#releaseScheduled = true;
    queueMicrotask(() => {
      this.#releaseScheduled = false;
      this.#releaseIfIdle();
    });
  }

  // Nothing bound is open and no handshake waits: drop the subscription and the credentials (the
  // provider's refresh loop stops with it). The next handshake subscribes again, afresh.
  #releaseIfIdle(): void {
    if (this.#disposed || this.#source.waiting > 0) return;
    for (const target of this.#targets.values()) if (target.isOpen()) return;
    this.#source.release();
  }
}

/** Below this many bound clients the binding does not prune its weak list of them. */
const MIN_PRUNE_SIZE = 64;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ? `an instance of ${value.constructor.name}` : 'an object';
}

export type { ClientShape };
