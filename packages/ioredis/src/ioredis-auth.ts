import {
  type AuthxError,
  type BindingHealth,
  BindingDisposedError,
  computeBindingHealth,
  type ConnectionStateKind,
  type CredentialsGeneration,
  CredentialsSource,
  type CredentialsSourceState,
  InvalidOptionError,
  isStreamingProvider,
  type StreamingProvider,
  TransportGuard,
  type TypedEvents,
} from '@authx/token-core';
import { type ConnectionHost, TrackedConnection, trackedConnectionOf } from './connection';
import { AlreadyBoundError, UnsupportedTargetError } from './errors';
import { IoredisAuthEventEmitter, type IoredisAuthEvents } from './events';
import { isCluster, isRedis, type RedisShape } from './ioredis-shapes';
import {
  type IoredisAuthOptions,
  type ResolvedIoredisAuthOptions,
  resolveIoredisAuthOptions,
} from './options';
import { ClusterTarget } from './targets/cluster-target';

/** A connection's state, as reported by {@link IoredisAuth.connections}. */
export interface ConnectionStatus {
  /** e.g. `redis#1`, `redis#1/duplicate#1`, `cluster#1/127.0.0.1:7000`, `cluster#1/subscriber@127.0.0.1:7001`. */
  readonly label: string;
  readonly isOpen: boolean;
  /** Where it is in its lifecycle (see the README's state diagram). */
  readonly state: ConnectionStateKind;
  /** Generation of the credentials the server holds for it; `undefined` while unknown. */
  readonly generation: number | undefined;
  /** AUTH commands the binding sent on it (handshakes not counted). */
  readonly authCommandsSent: number;
}

/** Options of {@link IoredisAuth.bind}. */
export interface BindOptions {
  /** Label of the target in events; default `redis#N` or `cluster#N`. */
  label?: string;
}

/**
 * Binds one streaming credentials provider to ioredis clients (`new Redis()`, their
 * `duplicate()`s) and clusters (`new Cluster()`).
 *
 * It holds ONE provider subscription (opened by the first connect, closed when nothing bound is
 * open) and re-authenticates each live connection after every change: AUTH on the connection,
 * after a MULTI's EXEC, or — for a RESP2 subscriber, which cannot run AUTH — by moving it onto a
 * fresh connection make-before-break. Every connect and reconnect of a bound connection uses the
 * newest valid credentials (never expired ones); after a provider failure the binding recovers by
 * itself (see the `recovery` option).
 */
export class IoredisAuth {
  readonly #provider: StreamingProvider;
  readonly #options: ResolvedIoredisAuthOptions;
  readonly #emitter = new IoredisAuthEventEmitter();
  readonly #source: CredentialsSource;
  readonly #clusters = new Map<object, ClusterTarget>();
  // Open tracked connections (held strongly while open); closed standalone clients are held
  // weakly, so a client the application dropped is never kept alive by the binding.
  readonly #open = new Set<TrackedConnection>();
  readonly #standalone = new Set<WeakRef<TrackedConnection>>();
  // The same connections, for an O(1) membership test; the set above is pruned of stopped or
  // dropped ones once it has doubled since the last pruning (amortized O(1) per bind).
  readonly #standaloneMembers = new WeakSet<TrackedConnection>();
  #pruneStandaloneAt = 64;
  readonly #counters = { redis: 0, cluster: 0 };
  readonly #host: ConnectionHost;
  readonly #guard: TransportGuard;
  #releaseScheduled = false;
  #disposed = false;

  constructor(provider: StreamingProvider, options: IoredisAuthOptions = {}) {
    if (!isStreamingProvider(provider)) {
      throw new InvalidOptionError(
        'provider',
        "a streaming credentials provider { type: 'streaming-credentials-provider', subscribe(listener), onReAuthenticationError(error) }",
        provider,
      );
    }
    this.#provider = provider;
    this.#options = resolveIoredisAuthOptions(options);
    this.#source = new CredentialsSource(provider, {
      expiresAtMs: this.#options.expiresAtMs,
      clock: this.#options.clock,
      recovery: this.#options.recovery,
      onUpdate: (generation) => this.#onUpdate(generation),
      onError: (error) => this.#onProviderError(error),
    });
    this.#guard = new TransportGuard(
      this.#options.transport,
      this.#options.label === ''
        ? 'An IoredisAuth binding'
        : `The IoredisAuth binding "${this.#options.label}"`,
      (connection, host, error) => this.#emitter.emit('transportRefused', { connection, host, error }),
    );
    this.#host = this.#createHost();
  }

  /** Subscribe to binding events: `auth.events.on('reauthFailed', e => …)` returns a Disposable. */
  get events(): TypedEvents<IoredisAuthEvents> {
    return this.#emitter;
  }

  /**
   * Binds an ioredis `Redis` or `Cluster` and returns it. Bind before the first connect (create
   * it with `lazyConnect: true`) so that its first handshake already uses the binding's
   * credentials; binding a connected client re-authenticates it. A bound client's
   * `duplicate()`s are bound too.
   */
  bind<T extends object>(target: T, options: BindOptions = {}): T {
    if (this.#disposed) throw new BindingDisposedError();
    if (typeof options !== 'object' || options === null)
      throw new InvalidOptionError('options', 'an object', options);
    if (options.label !== undefined && typeof options.label !== 'string') {
      throw new InvalidOptionError('label', 'a string', options.label);
    }
    const prefix = this.#options.label === '' ? '' : `${this.#options.label}/`;
    if (isRedis(target)) {
      const existing = trackedConnectionOf(target);
      if (existing) {
        if (this.#owns(existing)) return target;
        throw new AlreadyBoundError(existing.label);
      }
      this.#bindRedis(target, prefix + (options.label ?? `redis#${++this.#counters.redis}`));
      return target;
    }
    if (isCluster(target)) {
      if (this.#clusters.has(target)) return target;
      const label = prefix + (options.label ?? `cluster#${++this.#counters.cluster}`);
      const host = this.#host;
      const bound = new ClusterTarget(
        {
          usable: () => this.#source.usable(),
          ended: () => this.#scheduleReleaseIfIdle(),
          acquire: (timeoutMs) => this.#acquire(timeoutMs),
          credentialsTimeoutMs: this.#options.credentialsTimeoutMs,
          allowsTransport: (destination) => this.#guard.allows(destination),
          track: (redis, connectionLabel) => {
            const existing = trackedConnectionOf(redis);
            if (existing) existing.stop();
            return this.#track(
              new TrackedConnection(host, redis, connectionLabel, {
                persistent: false,
                bindDuplicates: false,
              }),
            );
          },
        },
        target,
        label,
      );
      this.#clusters.set(target, bound);
      if (bound.isOpen()) this.#source.activate();
      return target;
    }
    throw new UnsupportedTargetError(describe(target));
  }

  /**
   * Stops re-authenticating `target`'s connections (they keep the credentials they have) and
   * restores what the binding replaced on them (wrapped methods, its listeners). The
   * application's listeners are never touched.
   */
  unbind(target: object): void {
    if (isCluster(target)) {
      const bound = this.#clusters.get(target);
      if (!bound) return;
      this.#clusters.delete(target);
      bound.stop();
    } else {
      const connection = trackedConnectionOf(target);
      if (!connection || !this.#owns(connection)) return;
      connection.stop();
    }
    this.#releaseIfIdle();
  }

  /** The tracked connections (open, or reconnecting) and what each holds. */
  connections(): ConnectionStatus[] {
    return [...this.#open].map((connection) => ({
      label: connection.label,
      isOpen: connection.isOpen,
      state: connection.state.kind,
      generation: connection.authGeneration,
      authCommandsSent: connection.authCommandsSent,
    }));
  }

  /**
   * For readiness probes: the credentials' status (the provider's `status()` when it has one, as
   * token-core's and @authx/entraid's providers do), and how many open connections are
   * authenticated. `ready` is true when the credentials are usable and every open connection is
   * authenticated. The same shape as `@authx/redis-auth`'s `health()`.
   */
  health(): BindingHealth {
    return computeBindingHealth(this.#provider, this.#source.state, this.connections());
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

  /** Unbinds everything and closes the provider subscription; later connects are not served. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const target of [...this.#clusters.keys()]) this.unbind(target);
    for (const connection of [...this.#open]) connection.stop();
    for (const ref of this.#standalone) ref.deref()?.stop();
    this.#standalone.clear();
    this.#source.close();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  #owns(connection: TrackedConnection): boolean {
    if (this.#open.has(connection)) return true;
    if (this.#standaloneMembers.has(connection) && !connection.isStopped) return true;
    for (const cluster of this.#clusters.values()) {
      for (const known of cluster.connections()) if (known === connection) return true;
    }
    return false;
  }

  #bindRedis(redis: RedisShape, label: string): TrackedConnection {
    if (this.#standalone.size >= this.#pruneStandaloneAt) {
      for (const ref of this.#standalone) {
        const known = ref.deref();
        if (!known || known.isStopped) this.#standalone.delete(ref);
      }
      this.#pruneStandaloneAt = Math.max(64, 2 * this.#standalone.size);
    }
    const connection = this.#track(
      new TrackedConnection(this.#host, redis, label, { persistent: true, bindDuplicates: true }),
    );
    this.#standalone.add(new WeakRef(connection));
    this.#standaloneMembers.add(connection);
    connection.onStop(() => this.#scheduleReleaseIfIdle());
    if (connection.isOpen) {
      this.#source.activate();
      connection.sync();
    }
    return connection;
  }

  #track(connection: TrackedConnection): TrackedConnection {
    if (!connection.isDormant) this.#open.add(connection);
    this.#emitter.emit('connectionAdded', { connection: connection.label });
    return connection;
  }

  #acquire(timeoutMs: number): Promise<CredentialsGeneration> {
    if (this.#disposed) return Promise.reject(new BindingDisposedError());
    return this.#source.acquire(timeoutMs).finally(() => this.#scheduleReleaseIfIdle());
  }

  #onUpdate(generation: CredentialsGeneration): void {
    this.#emitter.emit('credentialsUpdated', {
      generation: generation.generation,
      expiresAtMs: generation.expiresAtMs,
      connections: this.#open.size,
    });
    // Every copy of the credentials first (a reconnect starting now takes the newest), then AUTH.
    for (const connection of this.#open) connection.applyCredentials(generation);
    for (const ref of this.#standalone) ref.deref()?.applyCredentials(generation);
    for (const cluster of [...this.#clusters.values()]) cluster.sweep();
    for (const connection of [...this.#open]) connection.sync();
  }

  #onProviderError(error: AuthxError): void {
    if (!this.#source.usable()) {
      for (const connection of this.#open) connection.forgetCredentials();
      for (const ref of this.#standalone) ref.deref()?.forgetCredentials();
      for (const cluster of this.#clusters.values()) cluster.forgetCredentials();
    }
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

  // One host for every connection: per-connection closures would cost heap on each of possibly
  // thousands of connections.
  #createHost(): ConnectionHost {
    const auth = this;
    return {
      source: this.#source,
      keepSubscriberCredentials: this.#provider.connectionsOutliveCredentials === true,
      options: this.#options,
      events: this.#emitter,
      acquire: (timeoutMs) => auth.#acquire(timeoutMs),
      reportToProvider: (error) => auth.#reportToProvider(error),
      connectionOpened(connection) {
        if (auth.#disposed) return;
        auth.#open.add(connection);
        auth.#emitter.emit('connectionAdded', { connection: connection.label });
      },
      connectionClosed(connection) {
        if (!auth.#open.delete(connection)) return;
        auth.#emitter.emit('connectionRemoved', { connection: connection.label });
        auth.#scheduleReleaseIfIdle();
      },
      checkTransport: (destination, connection) => auth.#guard.check(destination, connection),
      allowsTransport: (destination) => auth.#guard.allows(destination),
      bindDuplicate(copy, parent) {
        if (auth.#disposed || trackedConnectionOf(copy)) return;
        auth.#bindRedis(copy, parent.nextDuplicateLabel());
      },
    };
  }

  #scheduleReleaseIfIdle(): void {
    if (this.#releaseScheduled) return;
    this.#releaseScheduled = true;
    queueMicrotask(() => {
      this.#releaseScheduled = false;
      this.#releaseIfIdle();
    });
  }

  // Nothing bound is open and no connect waits: drop the subscription and the credentials (the
  // provider's refresh loop stops with it). The next connect subscribes again, afresh.
  #releaseIfIdle(): void {
    if (this.#disposed || this.#source.waiting > 0) return;
    for (const connection of this.#open) if (connection.isOpen) return;
    for (const cluster of this.#clusters.values()) if (cluster.isOpen()) return;
    this.#source.release();
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return value.constructor?.name ? `an instance of ${value.constructor.name}` : 'an object';
}
