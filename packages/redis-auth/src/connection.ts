import {
  ConnectionAge,
  type BasicAuth,
  type ConnectionEvent,
  type ConnectionState,
  type CredentialsGeneration,
  type CredentialsSource,
  type Destination,
  INITIAL_CONNECTION_STATE,
  isCredentialsRefusal,
  nextConnectionState,
  PubSubRotationError,
  ReauthenticationError,
  retryDelayMs,
  type TimerHandle,
  type TypedEventEmitter,
} from '@authx/token-core';
import { ClientHooks, type ClientObserver, destroyQuietly } from './client-hooks';
import { blockingTimeoutMs, commandKind as classifyCommand } from './command-kinds';
import type { ReauthDeferralReason, RedisAuthEvents } from './events';
import type { ResolvedRedisAuthOptions } from './options';
import { type RotationResult, rotateSubscriber } from './pubsub-rotation';
import type { ClientShape, RedisArgs } from './redis-shapes';
import { type ClientOptionsShape, destinationOf } from './transport';

/** What a tracked connection needs from its binding. */
export interface ConnectionHost {
  readonly source: CredentialsSource;
  /** The provider's `connectionsOutliveCredentials`: RESP2 subscribers keep the credentials they hold. */
  readonly keepSubscriberCredentials: boolean;
  readonly options: ResolvedRedisAuthOptions;
  readonly events: TypedEventEmitter<RedisAuthEvents>;
  /** What node-redis should call for handshakes of clients that are not tracked. */
  readonly sharedProvider: object;
  /**
   * A provider for one duplicate of a tracked client: it checks the duplicate's own destination
   * before each handshake. `attach` it to the duplicate once created.
   */
  duplicateProvider(label: string): { provider: object; attach(client: ClientShape): void };
  /** Throws when credentials may not go to `destination` (TLS / loopback / allowedHosts). */
  checkTransport(destination: Destination, connection: string): void;
  /** Credentials for a handshake (waits for valid ones up to `timeoutMs`). */
  acquire(timeoutMs: number): Promise<CredentialsGeneration>;
  reportToProvider(error: Error): void;
  /** Tracking of `connection` stopped for good (closed by its owner, or unbound). */
  connectionStopped(connection: TrackedConnection): void;
}

export interface TrackedConnectionOptions {
  /**
   * A standalone client: after its owner closes it, it stays bound (dormant, untracked) and is
   * tracked again when connected again. Pooled and cluster connections are dropped instead.
   */
  persistent: boolean;
  /** Found between its 'connect' event and its handshake (a cluster node at 'node-connect'). */
  connecting: boolean;
}

type SendCommand = (this: unknown, args: RedisArgs, options?: object) => Promise<unknown>;
type Duplicate = (this: unknown, overrides?: object) => ClientShape;
type ExecutePipeline = (
  this: unknown,
  commands: ReadonlyArray<{ args: RedisArgs }>,
  ...rest: unknown[]
) => Promise<unknown>;
// Read once: a call through the re-export would run its getter on every command.
const commandKind = classifyCommand;

const WRAPPED_METHODS = ['sendCommand', 'duplicate', '_executePipeline', 'monitor'] as const;
type WrappedMethod = (typeof WRAPPED_METHODS)[number];

type HookedClient = ClientShape & {
  sendCommand: SendCommand;
  duplicate: Duplicate;
  _executePipeline?: ExecutePipeline;
};

/**
 * One node-redis connection bound to the credentials: the runner of the connection lifecycle
 * (`nextConnectionState` of `@authx/token-core`). It feeds it what node-redis reports and
 * applies each transition's effects — AUTH, make-before-break rotation of a RESP2 subscriber,
 * backoff timers, events — each with a deadline and a defined failure path.
 */
export class TrackedConnection implements ClientObserver {
  readonly label: string;
  readonly client: ClientShape;
  readonly #hooks: ClientHooks;
  readonly #self: HookedClient;
  readonly #host: ConnectionHost;
  readonly #persistent: boolean;
  #state: ConnectionState = INITIAL_CONNECTION_STATE;
  #timer: TimerHandle | undefined;
  #rotation: { controller: AbortController; served: number | undefined; broke: boolean } | undefined;
  #lastRotation: RotationResult | undefined;
  #lastError: ReauthenticationError | PubSubRotationError | undefined;
  // The credentials the server holds for this connection, when known (for their expiry).
  #held: CredentialsGeneration | undefined;
  // A hand-written MULTI: open until EXEC / DISCARD / RESET is sent or the MULTI itself fails.
  #multi: { settled: boolean } | undefined;
  // Created on the first blocking command: most connections never send one.
  #blockingUntilMs: Map<number, number> | undefined;
  #blockingSeq = 0;
  #lastDeferral = '';
  #authCount = 0;
  #stopListeners: ReadonlyArray<() => void> | undefined;
  #closedByOwner = false;
  readonly #age: ConnectionAge | undefined;
  readonly #resp2: boolean;

  constructor(host: ConnectionHost, client: ClientShape, label: string, options: TrackedConnectionOptions) {
    this.#host = host;
    this.client = client;
    this.label = label;
    this.#persistent = options.persistent;
    const maxAgeMs = host.options.maxConnectionAgeMs;
    // Age limit reached on an idle connection: forget what it holds, so that sync sends AUTH (or
    // rotates a RESP2 subscriber) with the current credentials even though they did not change.
    this.#age =
      maxAgeMs === undefined
        ? undefined
        : new ConnectionAge(host.options.clock, maxAgeMs, () => {
            if (this.#state.kind === 'ready') this.#feed({ type: 'identity-reset' });
          });
    this.#hooks = ClientHooks.of(client);
    const self = this.#hooks.self as HookedClient;
    this.#self = self;
    // Read once: a client's protocol never changes, and with thousands of clients (one node-redis
    // class each) every read of their options is a slow, megamorphic lookup in the sweep.
    this.#resp2 = self.options?.RESP === 2;
    this.#hooks.observer = this;
    this.#hooks.swapProvider();
    this.#wrap();
    if (options.connecting) this.#feed({ type: 'connect' });
    else if (self.isReady) this.#feed({ type: 'ready' });
  }

  /** Runs `listener` once when tracking stops. */
  onStop(listener: () => void): void {
    this.#stopListeners = this.#stopListeners ? [...this.#stopListeners, listener] : [listener];
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Generation of the credentials the server holds for this connection (undefined: unknown). */
  get authGeneration(): number | undefined {
    const state = this.#state;
    return state.kind === 'stopped'
      ? undefined
      : state.kind === 'handshaking'
        ? state.served
        : state.generation;
  }

  /** AUTH commands this binding sent on this connection (not counting handshakes). */
  get authCommandsSent(): number {
    return this.#authCount;
  }

  get isOpen(): boolean {
    return this.#self.isOpen;
  }

  /** Brings the connection onto the newest valid credentials if it is not already (idempotent). */
  sync(): void {
    if (this.#state.kind === 'stopped' || !this.#self.isReady) return;
    const usable = this.#host.source.usable();
    if (!usable) {
      this.#host.source.activate();
      return;
    }
    this.#feed({
      type: 'sync',
      target: usable.generation,
      transactionOpen: this.#multi !== undefined,
      subscribedResp2: this.#resp2 && this.#self.isPubSubActive,
      keepSubscriberCredentials: this.#host.keepSubscriberCredentials,
    });
  }

  /** Stops tracking: aborts what is in flight, restores what was replaced, keeps the app's listeners. */
  stop(options: { restoreProvider: boolean } = { restoreProvider: true }): void {
    if (this.#state.kind === 'stopped') return;
    this.#feed({ type: 'stop' });
    // Another connection took over the client meanwhile: the wrappers are its now.
    if (this.#hooks.observer === this || this.#hooks.observer === undefined) this.#unwrap();
    if (this.#hooks.observer === this) this.#hooks.observer = undefined;
    if (options.restoreProvider) this.#hooks.restore();
    this.#host.connectionStopped(this);
    const listeners = this.#stopListeners;
    this.#stopListeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  // ── what node-redis reports (ClientObserver) ──────────────────────────────────────────────

  onConnect(): void {
    if (this.#rotation) return;
    this.#feed({ type: 'connect' });
  }

  onReady(): void {
    if (this.#rotation) return;
    // A new socket has no blocked command.
    this.#blockingUntilMs = undefined;
    this.#lastDeferral = '';
    this.#feed({ type: 'ready' });
  }

  onReconnecting(): void {
    if (this.#rotation) return;
    // A MULTI answered on the socket that just dropped is gone with it. One still queued offline
    // is written on the new socket (often answered with its handshake, before 'ready'), and one
    // in flight is rejected by node-redis (its rejection handler forgets it).
    if (this.#multi?.settled) this.#multi = undefined;
    this.#feed({ type: 'disconnected' });
  }

  onEnd(): void {
    // Closed by its owner (or the reconnect strategy gave up): abort a rotation, never reconnect.
    this.#feed({ type: 'disconnected' });
    this.#closedByOwner = true;
    this.stop({ restoreProvider: !this.#persistent });
  }

  /** True when tracking stopped because the owner closed the client (not unbind / dispose). */
  get closedByOwner(): boolean {
    return this.#closedByOwner;
  }

  async handshakeCredentials(): Promise<BasicAuth> {
    // Checked on every handshake (first connect, reconnect, rotation), before any credential is read.
    this.#host.checkTransport(destinationOf(this.#self.options as ClientOptionsShape), this.label);
    const timeoutMs =
      this.#host.options.credentialsTimeoutMs ??
      (this.#self.options as { socket?: { connectTimeout?: number } } | undefined)?.socket?.connectTimeout ??
      5000;
    // A handshake on a socket that did not just connect is node-redis' reset(): monitor mode ended.
    if (this.#hooks.monitoring && this.#state.kind !== 'handshaking' && !this.#rotation) {
      this.#hooks.monitoring = false;
    }
    const generation = await this.#host.acquire(timeoutMs);
    this.#remember(generation);
    if (this.#rotation) this.#rotation.served = generation.generation;
    else this.#feed({ type: 'handshake-served', generation: generation.generation });
    const { username, password } = generation.credentials;
    return { username, password };
  }

  // ── the runner ────────────────────────────────────────────────────────────────────────────

  #feed(event: ConnectionEvent): void {
    const previous = this.#state;
    const next = nextConnectionState(previous, event);
    if (next === previous) return;
    this.#state = next;
    this.#apply(previous, next);
  }

  #apply(previous: ConnectionState, next: ConnectionState): void {
    this.#age?.onTransition(previous, next);
    if (previous.kind === 'backoff' && next.kind !== 'backoff') this.#clearTimer();
    if (previous.kind === 'rotating' && next.kind !== 'rotating' && this.#rotation) {
      this.#rotation.controller.abort(new Error('the connection was closed'));
      this.#rotation = undefined;
    }
    switch (next.kind) {
      case 'authenticating':
        if (previous.kind !== 'authenticating') this.#sendAuth(next.target);
        return;
      case 'rotating':
        if (previous.kind !== 'rotating') this.#rotate(next.target);
        return;
      case 'deferred':
        this.#defer(next.target, 'transaction');
        return;
      case 'backoff':
        this.#scheduleRetry(next.target, next.failures);
        return;
      case 'rejected':
        this.#reportFailure(next.target, undefined, 1);
        return;
      case 'closed':
        if (previous.kind === 'authenticating' || previous.kind === 'rotating') {
          this.#defer(previous.target, 'reconnecting');
        }
        return;
      case 'ready':
        this.#onBecameReady(previous, next);
        return;
      default:
        return;
    }
  }

  #onBecameReady(previous: ConnectionState, next: Extract<ConnectionState, { kind: 'ready' }>): void {
    const generation = next.generation;
    if (generation !== undefined) {
      if (previous.kind === 'authenticating') this.#emitReauthenticated(generation, 'auth');
      else if (previous.kind === 'rotating') {
        this.#host.events.emit('pubsubRotated', {
          connection: this.label,
          generation,
          bridged: this.#lastRotation?.bridged ?? 0,
        });
        if (this.#state !== next) return;
        this.#emitReauthenticated(generation, 'pubsub-rotation');
      } else if (
        previous.kind === 'handshaking' &&
        previous.previous !== undefined &&
        previous.previous !== generation
      ) {
        this.#emitReauthenticated(generation, 'handshake');
      }
    }
    // Listeners may have stopped or moved the connection meanwhile.
    if (this.#state === next) this.sync();
  }

  #sendAuth(target: number): void {
    const usable = this.#host.source.usable();
    if (!usable || usable.generation !== target) {
      // Between the sync and now the credentials changed or expired: decide again.
      this.#feed({ type: 'auth-failed', refused: false });
      return;
    }
    if (this.#hooks.monitoring) {
      this.#reconnectMonitor();
      return;
    }
    const blocking = this.#blockingUntilMs;
    const blocked = blocking !== undefined && blocking.size > 0;
    if (blocked) {
      const blockedUntilMs = Math.max(...blocking.values());
      const expiresAtMs = this.#serverExpiresAtMs();
      this.#defer(
        target,
        'blocking-command',
        expiresAtMs === undefined ? undefined : blockedUntilMs >= expiresAtMs,
      );
    }
    const { username, password } = usable.credentials;
    const args = username === undefined ? ['AUTH', password ?? ''] : ['AUTH', username, password ?? ''];
    this.#authCount++;
    const state = this.#state;
    let settled = false;
    // Behind a blocking command the reply legitimately waits; otherwise no reply in time is a failure.
    const deadline = blocked
      ? undefined
      : this.#host.options.clock.setTimeout(() => {
          if (settled || this.#state !== state) return;
          settled = true;
          this.#lastError = new ReauthenticationError(this.label, {
            cause: new Error(`no reply to AUTH within ${this.#host.options.reauthTimeoutMs} ms`),
          });
          this.#feed({ type: 'auth-failed', refused: false });
        }, this.#host.options.reauthTimeoutMs);
    (this.#hooks.originals.sendCommand as SendCommand).call(this.#self, args).then(
      () => {
        if (deadline !== undefined) this.#host.options.clock.clearTimeout(deadline);
        if (settled) return;
        settled = true;
        this.#remember(usable);
        this.#feed({ type: 'auth-succeeded', generation: target });
      },
      (cause: unknown) => {
        if (deadline !== undefined) this.#host.options.clock.clearTimeout(deadline);
        if (settled) return;
        settled = true;
        // The socket went away: its reconnect handshake takes the newest credentials.
        if (!this.#self.isReady) {
          this.#feed({ type: 'disconnected' });
          return;
        }
        const refused = isCredentialsRefusal(cause);
        this.#lastError = new ReauthenticationError(this.label, { cause, isRetryable: !refused });
        this.#feed({ type: 'auth-failed', refused });
      },
    );
  }

  /**
   * A client in monitor mode takes new credentials by reconnecting at once: node-redis passes every
   * reply of a monitoring connection to the monitor callback, so an AUTH sent there would never be
   * answered (and the server would evict the connection at expiry). The reconnect handshake asks the
   * binding for the newest credentials and node-redis issues MONITOR again; the feed misses what runs
   * during the reconnect (milliseconds). The application sees `end` → `connect` → `ready`.
   */
  #reconnectMonitor(): void {
    const hooks = this.#hooks;
    const self = this.#self;
    hooks.selfDestroying = true;
    try {
      destroyQuietly(self);
    } finally {
      hooks.selfDestroying = false;
    }
    self.connect().catch(() => {
      // connect() gave up (reconnect strategy) or the client was closed meanwhile.
      if (this.#state.kind === 'authenticating') this.#feed({ type: 'disconnected' });
    });
  }

  #rotate(target: number): void {
    const controller = new AbortController();
    const rotation = { controller, served: undefined as number | undefined, broke: false };
    this.#rotation = rotation;
    const { clock, rotationTimeoutMs } = this.#host.options;
    const deadline = clock.setTimeout(
      () => controller.abort(new Error(`the rotation did not finish within ${rotationTimeoutMs} ms`)),
      rotationTimeoutMs,
    );
    const self = this.#self;
    const hooks = this.#hooks;
    rotateSubscriber(self, {
      signal: controller.signal,
      reconnect: () => {
        if (controller.signal.aborted) return Promise.reject(controller.signal.reason);
        rotation.broke = true;
        hooks.selfDestroying = true;
        try {
          destroyQuietly(self);
        } finally {
          hooks.selfDestroying = false;
        }
        return self.connect();
      },
    }).then(
      (result) => {
        clock.clearTimeout(deadline);
        if (this.#rotation !== rotation) return;
        this.#rotation = undefined;
        this.#lastRotation = result;
        this.#feed({ type: 'auth-succeeded', generation: rotation.served ?? target });
      },
      (cause: unknown) => {
        clock.clearTimeout(deadline);
        if (this.#rotation !== rotation) return;
        this.#rotation = undefined;
        if (rotation.broke) {
          // The subscriber was switched already: its own reconnect (node-redis') goes on, and its
          // handshake took or takes the newest credentials. Pick up from where it is.
          this.#lastError = undefined;
          this.#feed({ type: 'disconnected' });
          this.#feed({ type: 'connect' });
          if (rotation.served !== undefined)
            this.#feed({ type: 'handshake-served', generation: rotation.served });
          if (self.isReady) this.#feed({ type: 'ready' });
          return;
        }
        this.#lastError = new PubSubRotationError(this.label, { cause });
        this.#feed({ type: 'auth-failed', refused: false });
      },
    );
  }

  #scheduleRetry(target: number, failures: number): void {
    const { reauthRetry, clock } = this.#host.options;
    let retryInMs = retryDelayMs(reauthRetry, failures);
    // Heal before the credentials in use run out: while they are valid, never wait past half of
    // their remaining life. Once they have expired, the plain backoff applies.
    const expiresAtMs = this.#serverExpiresAtMs();
    const remainingMs = expiresAtMs === undefined ? undefined : expiresAtMs - clock.now();
    if (remainingMs !== undefined && remainingMs > 0) {
      retryInMs = Math.min(retryInMs, Math.max(reauthRetry.initialDelayMs, Math.round(remainingMs / 2)));
    }
    this.#clearTimer();
    this.#timer = clock.setTimeout(() => {
      this.#timer = undefined;
      this.#feed({ type: 'retry-due' });
    }, retryInMs);
    this.#reportFailure(target, retryInMs, failures);
  }

  #reportFailure(target: number, retryInMs: number | undefined, attempt: number): void {
    const error =
      this.#lastError ??
      new ReauthenticationError(this.label, { cause: new Error('re-authentication failed') });
    this.#lastError = undefined;
    this.#host.events.emit('reauthFailed', {
      connection: this.label,
      generation: target,
      error,
      attempt,
      retryInMs,
    });
    this.#host.reportToProvider(error);
  }

  #defer(target: number, reason: ReauthDeferralReason, willMissExpiry?: boolean): void {
    const key = `${target}:${reason}`;
    if (this.#lastDeferral === key) return;
    this.#lastDeferral = key;
    this.#host.events.emit('reauthDeferred', {
      connection: this.label,
      generation: target,
      reason,
      expiresAtMs: this.#serverExpiresAtMs(),
      willMissExpiry,
    });
  }

  #emitReauthenticated(generation: number, via: RedisAuthEvents['reauthenticated']['via']): void {
    this.#host.events.emit('reauthenticated', { connection: this.label, generation, via });
  }

  /** Expiry of the credentials the server holds for this connection, if known. */
  #serverExpiresAtMs(): number | undefined {
    const held = this.#held;
    return held && held.generation === this.authGeneration ? held.expiresAtMs : undefined;
  }

  // Two generations at most are in play per connection (held and target): keep the newest seen.
  #remember(generation: CredentialsGeneration): void {
    if (!this.#held || generation.generation >= this.#held.generation) this.#held = generation;
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#host.options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // ── wrappers on the client instance (restored by stop) ────────────────────────────────────

  // Shared by every client, so that a connection costs no closure: each finds the connection
  // through the client's hooks (node-redis calls them on the client or a proxy of it, whose
  // `_self` is the client). They stay correct for whichever connection tracks the client later.
  static readonly #wrappers: Readonly<Record<WrappedMethod, unknown>> = {
    // Monitor mode: node-redis hands every reply of a monitoring connection to the monitor
    // listener, so an AUTH would never be answered; the connection is re-authenticated by a
    // reconnect instead (see #reconnectMonitor). `monitor` is an own property of every node-redis
    // client already (`monitor = this.MONITOR`): replacing its value costs no heap per client.
    monitor: function monitor(this: unknown, ...args: unknown[]) {
      const hooks = ClientHooks.of(this as ClientShape);
      const original = hooks.originals.monitor as (...a: unknown[]) => Promise<unknown>;
      return original.apply(this, args).then((value) => {
        hooks.monitoring = true;
        return value;
      });
    },
    sendCommand: function sendCommand(this: unknown, args: RedisArgs, commandOptions?: object) {
      const hooks = ClientHooks.of(this as ClientShape);
      const promise = (hooks.originals.sendCommand as SendCommand).call(this, args, commandOptions);
      const kind = commandKind(args);
      if (kind !== 'other') {
        const connection = hooks.observer;
        if (connection instanceof TrackedConnection) connection.#observe(kind, args, promise);
      }
      return promise;
    },
    // A duplicate copies the options, our per-client provider with them: give it one of its own
    // instead, so its handshakes are never recorded as this connection's, and are checked against
    // the duplicate's own destination (overrides may change it).
    duplicate: function duplicate(this: unknown, overrides?: object) {
      const hooks = ClientHooks.of(this as ClientShape);
      const original = hooks.originals.duplicate as Duplicate;
      const connection = hooks.observer;
      if (!(connection instanceof TrackedConnection)) return original.call(this, overrides);
      const guarded = connection.#host.duplicateProvider(`${connection.label}/duplicate`);
      const copy = original.call(this, { credentialsProvider: guarded.provider, ...overrides });
      guarded.attach(copy);
      return copy;
    },
    _executePipeline: function _executePipeline(
      this: unknown,
      commands: ReadonlyArray<{ args: RedisArgs }>,
      ...rest: unknown[]
    ) {
      const hooks = ClientHooks.of(this as ClientShape);
      const promise = (hooks.originals._executePipeline as ExecutePipeline).call(this, commands, ...rest);
      const connection = hooks.observer;
      if (connection instanceof TrackedConnection) {
        for (const { args } of commands) {
          if (commandKind(args) === 'blocking') connection.#observe('blocking', args, promise);
        }
      }
      return promise;
    },
  };

  // An own property on the instance shadows the prototype method for the client and every proxy
  // node-redis derives from it (withTypeMapping, commands, cluster routing). Installed once per
  // client: while one of ours is still in its chain (someone wrapped on top of it), it serves.
  #wrap(): void {
    const self = this.#self as unknown as Record<string, unknown>;
    const originals = this.#hooks.originals;
    for (const name of WRAPPED_METHODS) {
      if (originals[name] !== undefined || typeof self[name] !== 'function') continue;
      originals[name] = self[name];
      self[name] = TrackedConnection.#wrappers[name];
    }
  }

  #unwrap(): void {
    const self = this.#self as unknown as Record<string, unknown>;
    const originals = this.#hooks.originals;
    for (const name of WRAPPED_METHODS) {
      const original = originals[name];
      if (original === undefined || self[name] !== TrackedConnection.#wrappers[name]) continue;
      delete self[name];
      // The instance had its own before: put it back.
      if (self[name] !== original) self[name] = original;
      originals[name] = undefined;
    }
  }

  #observe(kind: ReturnType<typeof commandKind>, args: RedisArgs, promise: Promise<unknown>): void {
    if (this.#state.kind === 'stopped') return;
    switch (kind) {
      case 'multi': {
        const multi = { settled: false };
        this.#multi = multi;
        promise.then(
          () => {
            multi.settled = true;
          },
          () => {
            // Never reached the server (or its socket died): no transaction is open.
            if (this.#multi === multi) {
              this.#multi = undefined;
              this.sync();
            }
          },
        );
        return;
      }
      case 'end-transaction':
        if (!this.#multi) return;
        this.#multi = undefined;
        // Queued right behind the EXEC / DISCARD just enqueued: the deferred AUTH lands after it.
        this.sync();
        return;
      case 'reset':
        this.#multi = undefined;
        this.#hooks.monitoring = false;
        this.#feed({ type: 'identity-reset' });
        // RESET logs the connection in as `default`: AUTH again once it has been answered.
        promise.then(
          () => this.sync(),
          () => this.sync(),
        );
        return;
      case 'blocking': {
        const id = ++this.#blockingSeq;
        const blocking = (this.#blockingUntilMs ??= new Map());
        blocking.set(id, this.#host.options.clock.now() + blockingTimeoutMs(args));
        const done = () => blocking.delete(id);
        promise.then(done, done);
        return;
      }
      default:
        return;
    }
  }
}
