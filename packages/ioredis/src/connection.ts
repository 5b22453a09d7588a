import {
  blockingTimeoutMs,
  ConnectionAge,
  type ConnectionEvent,
  type ConnectionState,
  type CredentialsGeneration,
  type CredentialsSource,
  commandKind,
  type Destination,
  INITIAL_CONNECTION_STATE,
  isCredentialsRefusal,
  nextConnectionState,
  PubSubRotationError,
  ReauthenticationError,
  retryDelayMs,
  type TimerHandle,
} from '@authx/token-core';
import type { IoredisAuthEventEmitter, IoredisAuthEvents, ReauthDeferralReason } from './events';
import { type CommandShape, destinationOf, isResp2Subscriber, type RedisShape } from './ioredis-shapes';
import type { ResolvedIoredisAuthOptions } from './options';
import { type RotationResult, rotateSubscriber } from './pubsub-rotation';

/** What a tracked connection needs from its binding. */
export interface ConnectionHost {
  readonly source: CredentialsSource;
  /** The provider's `connectionsOutliveCredentials`: RESP2 subscribers keep the credentials they hold. */
  readonly keepSubscriberCredentials: boolean;
  readonly options: ResolvedIoredisAuthOptions;
  readonly events: IoredisAuthEventEmitter;
  /** Credentials for a handshake (waits for valid ones up to `timeoutMs`). */
  acquire(timeoutMs: number): Promise<CredentialsGeneration>;
  reportToProvider(error: Error): void;
  /** The connection is open again (a closed standalone client connects again). */
  connectionOpened(connection: TrackedConnection): void;
  /** The connection closed for good (its owner closed it), or tracking stopped. */
  connectionClosed(connection: TrackedConnection): void;
  /** A standalone client's `duplicate()` made `copy`: bind it too. */
  bindDuplicate(copy: RedisShape, parent: TrackedConnection): void;
  /** Throws (and reports) when credentials may not go to `destination` (TLS or loopback, `allowedHosts`). */
  checkTransport(destination: Destination, connection: string): void;
  /** The same verdict, silently. */
  allowsTransport(destination: Destination): boolean;
}

export interface TrackedConnectionOptions {
  /**
   * A standalone client or duplicate: after its owner closes it, it stays bound (and untracked
   * until it connects again). A cluster's connections stop being tracked when they end.
   */
  persistent: boolean;
  /** Bind what its `duplicate()` returns (standalone clients; not a cluster's internal connections). */
  bindDuplicates: boolean;
}

type Wrapped = 'connect' | 'sendCommand' | 'duplicate';
type EventName = 'connect' | 'ready' | 'close' | 'end';

const registry = new WeakMap<object, TrackedConnection>();

// The commands the binding must see (transactions, RESET, blocking ones): a Set lookup on each
// command, so that every other command costs nothing more.
const OBSERVED_COMMANDS: ReadonlySet<string> = new Set([
  'multi',
  'exec',
  'discard',
  'reset',
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'wait',
  'waitaof',
  'xread',
  'xreadgroup',
]);

/** The tracked connection of an ioredis instance, if it is bound. */
export function trackedConnectionOf(redis: object): TrackedConnection | undefined {
  return registry.get(redis);
}

/**
 * One ioredis connection bound to the credentials: the runner of the connection lifecycle
 * (`nextConnectionState` of `@authx/token-core`). It feeds it what ioredis reports and applies
 * each transition's effects — AUTH, make-before-break rotation of a RESP2 subscriber, backoff
 * timers, events — each with a deadline and a defined failure path.
 *
 * ioredis reads `options.username` / `options.password` when it connects (there is no
 * credentials callback), so the binding wraps the instance's `connect`: every connect and
 * reconnect first puts the newest valid credentials into the options — waiting for some when
 * there are none, never handing an expired one to the handshake.
 */
export class TrackedConnection {
  readonly label: string;
  readonly client: RedisShape;
  readonly #host: ConnectionHost;
  readonly #age: ConnectionAge | undefined;
  readonly #persistent: boolean;
  readonly #wrapped: Array<{ name: Wrapped; original: unknown; wrapper: unknown }> = [];
  readonly #listeners: Array<[EventName, (...args: unknown[]) => void]> = [];
  #state: ConnectionState = INITIAL_CONNECTION_STATE;
  #timer: TimerHandle | undefined;
  #rotation: { controller: AbortController; served: number | undefined; broke: boolean } | undefined;
  #lastRotation: RotationResult | undefined;
  #lastError: ReauthenticationError | PubSubRotationError | undefined;
  // The credentials the server holds for this connection, when known (for their expiry).
  #held: CredentialsGeneration | undefined;
  // What the connect wrapper put into the options for the handshake under way.
  #served: CredentialsGeneration | undefined;
  #waiting: Promise<void> | undefined;
  // A MULTI sent on its own: open until EXEC / DISCARD / RESET is sent or the MULTI itself fails.
  #multi: { settled: boolean } | undefined;
  #blockingUntilMs: Map<number, number> | undefined;
  #blockingSeq = 0;
  #lastDeferral = '';
  #authCount = 0;
  /** A monitor connection is reconnecting to take new credentials (see `#reconnectMonitor`). */
  #monitorReconnecting = false;
  #duplicates = 0;
  #dormant = false;
  #stopListeners: Array<() => void> = [];

  constructor(host: ConnectionHost, client: RedisShape, label: string, options: TrackedConnectionOptions) {
    this.#host = host;
    this.client = client;
    this.label = label;
    this.#persistent = options.persistent;
    const maxAgeMs = host.options.maxConnectionAgeMs;
    // Age limit reached on an idle connection: forget what it holds, so that sync sends AUTH (or
    // moves a RESP2 subscriber) with the current credentials even though they did not change.
    this.#age =
      maxAgeMs === undefined
        ? undefined
        : new ConnectionAge(host.options.clock, maxAgeMs, () => {
            if (this.#state.kind === 'ready') this.#feed({ type: 'identity-reset' });
          });
    registry.set(client, this);
    this.#listen('connect', () => this.#onConnect());
    this.#listen('ready', () => this.#onReady());
    this.#listen('close', () => this.#onClose());
    this.#listen('end', () => this.#onEnd());
    this.#wrap(options.bindDuplicates);
    const generation = host.source.usable();
    if (generation) this.applyCredentials(generation);
    const status = client.status;
    if (isServing(status)) this.#feed({ type: 'ready' });
    else if (status === 'connect') this.#feed({ type: 'connect' });
    else if (status === 'end' || status === 'wait') this.#dormant = true;
  }

  /** Runs `listener` once when tracking stops. */
  onStop(listener: () => void): void {
    this.#stopListeners.push(listener);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Generation of the credentials the server holds for this connection (undefined: unknown). */
  get authGeneration(): number | undefined {
    const state = this.#state;
    if (state.kind === 'stopped') return undefined;
    return state.kind === 'handshaking' ? state.served : state.generation;
  }

  /** AUTH commands this binding sent on this connection (not counting handshakes). */
  get authCommandsSent(): number {
    return this.#authCount;
  }

  /** Connected, connecting or reconnecting: not closed for good (and not a lazy client never connected). */
  get isOpen(): boolean {
    if (this.#waiting) return true;
    const status = this.client.status;
    return status !== 'end' && status !== 'wait';
  }

  /** Closed by its owner; tracked again when it connects again. */
  get isDormant(): boolean {
    return this.#dormant;
  }

  get isStopped(): boolean {
    return this.#state.kind === 'stopped';
  }

  /** Puts `generation`'s credentials into the options ioredis reads at its next connect. */
  applyCredentials(generation: CredentialsGeneration): void {
    const options = this.client.options;
    // Never where they may not go: a refused connection's options hold no token at all.
    if (!this.#host.allowsTransport(destinationOf(options))) {
      this.forgetCredentials();
      return;
    }
    const { username, password } = generation.credentials;
    if (username === undefined) delete options.username;
    else options.username = username;
    options.password = password;
  }

  /** Removes the credentials from the options (they expired): the next connect waits for new ones. */
  forgetCredentials(): void {
    delete this.client.options.password;
  }

  /** Brings the connection onto the newest valid credentials if it is not already (idempotent). */
  sync(): void {
    if (this.#state.kind === 'stopped' || !isServing(this.client.status)) return;
    const usable = this.#host.source.usable();
    if (!usable) {
      this.#host.source.activate();
      return;
    }
    this.#feed({
      type: 'sync',
      target: usable.generation,
      transactionOpen: this.#multi !== undefined,
      subscribedResp2: isResp2Subscriber(this.client),
      keepSubscriberCredentials: this.#host.keepSubscriberCredentials,
    });
  }

  /** Stops tracking: aborts what is in flight, restores what was replaced, keeps the app's listeners. */
  stop(): void {
    if (this.#state.kind === 'stopped') return;
    this.#feed({ type: 'stop' });
    const self = this.client as unknown as Record<string, unknown>;
    for (const { name, original, wrapper } of this.#wrapped) {
      if (self[name] !== wrapper) continue;
      delete self[name];
      // The instance had its own before: put it back.
      if (self[name] !== original) self[name] = original;
    }
    this.#wrapped.length = 0;
    for (const [event, listener] of this.#listeners) this.client.off(event, listener);
    this.#listeners.length = 0;
    if (registry.get(this.client) === this) registry.delete(this.client);
    this.#host.connectionClosed(this);
    const listeners = this.#stopListeners.splice(0);
    for (const listener of listeners) listener();
  }

  // ── what ioredis reports ─────────────────────────────────────────────────────────────────

  #listen(event: EventName, listener: () => void): void {
    this.client.on(event, listener);
    this.#listeners.push([event, listener]);
  }

  #onConnect(): void {
    if (this.#rotation) return;
    this.#feed({ type: 'connect' });
    const served = this.#served;
    this.#served = undefined;
    if (served) {
      this.#remember(served);
      this.#feed({ type: 'handshake-served', generation: served.generation });
    }
  }

  #onReady(): void {
    if (this.#rotation) return;
    // A new socket has no blocked command.
    this.#blockingUntilMs = undefined;
    this.#lastDeferral = '';
    this.#feed({ type: 'ready' });
  }

  #onClose(): void {
    if (this.#rotation) return;
    // A MULTI answered on the socket that just dropped is gone with it.
    if (this.#multi?.settled) this.#multi = undefined;
    this.#feed({ type: 'disconnected' });
  }

  #onEnd(): void {
    // Closed by its owner (or its retry strategy gave up): abort a rotation, never reconnect.
    this.#multi = undefined;
    this.#feed({ type: 'disconnected' });
    this.#rotationAbort(new Error('the connection was closed'));
    if (!this.#persistent) {
      this.stop();
      return;
    }
    this.#dormant = true;
    this.#host.connectionClosed(this);
  }

  // ── the connect wrapper: never an expired credential, always the newest ──────────────────

  #connect(original: RedisShape['connect']): Promise<void> {
    const self = this.client;
    if (this.#state.kind === 'stopped') return original.call(self);
    try {
      this.#host.checkTransport(destinationOf(self.options), this.label);
    } catch (error) {
      // Refused before any token reaches the options or the wire. Commands queued for this
      // connect fail with the refusal (rather than wait), and a reconnect tries again later,
      // refused until the configuration is fixed.
      this.forgetCredentials();
      this.#prepareDeferredConnect();
      queueMicrotask(() =>
        (self as { flushQueue?: (e: unknown, o?: object) => void }).flushQueue?.(error, {
          commandQueue: false,
        }),
      );
      if (self.listeners('error').length > 0) self.emit('error', error);
      this.#retryReconnectLater();
      return Promise.reject(error);
    }
    if (this.#dormant) {
      this.#dormant = false;
      this.#host.connectionOpened(this);
    }
    const usable = this.#host.source.isActive ? this.#host.source.usable() : undefined;
    if (usable) {
      this.#serve(usable);
      return original.call(self);
    }
    // No valid credentials right now: wait for some (the source subscribes or recovers), then
    // connect. Concurrent calls (commands on a lazy client) share the wait.
    this.#prepareDeferredConnect();
    this.#waiting ??= this.#awaitCredentials(original).finally(() => {
      this.#waiting = undefined;
    });
    return this.#waiting;
  }

  async #awaitCredentials(original: RedisShape['connect']): Promise<void> {
    const self = this.client;
    const timeoutMs =
      this.#host.options.credentialsTimeoutMs ??
      (typeof self.options.connectTimeout === 'number' && self.options.connectTimeout > 0
        ? self.options.connectTimeout
        : 5000);
    let generation: CredentialsGeneration;
    try {
      generation = await this.#host.acquire(timeoutMs);
    } catch (error) {
      if (self.listeners('error').length > 0) self.emit('error', error);
      // A reconnect that found no credentials tries again (its waits are bounded; the source's
      // recovery paces the identity provider, not these attempts).
      this.#retryReconnectLater();
      throw error;
    }
    // Closed by its owner meanwhile: stay closed.
    if (this.#closing() || this.#state.kind === 'stopped') {
      throw new Error('Connection is closed.');
    }
    this.#serve(generation);
    return original.call(self);
  }

  /** A reconnect that did not happen (refused, or no credentials) is tried again in a second. */
  #retryReconnectLater(): void {
    const self = this.client;
    if (self.status !== 'reconnecting' || this.#closing() || this.#state.kind === 'stopped') return;
    this.#host.options.clock.setTimeout(() => {
      if (self.status === 'reconnecting' && !this.#closing()) self.connect().catch(() => {});
    }, 1000);
  }

  /**
   * ioredis queues a command sent before the first connect and reads the connection's
   * `condition` as it does, which only its own connect creates: a connect the binding holds back
   * (waiting for credentials, or refused) must leave one, as that connect would have started.
   */
  #prepareDeferredConnect(): void {
    const self = this.client as unknown as { condition?: object; options: RedisShape['options'] };
    if (self.condition !== undefined) return;
    const { options } = self;
    self.condition = {
      select: options.db,
      auth: undefined,
      subscriber: false,
      protocol: options.protocol,
      replyMapping: 'legacy',
      handshake: false,
    };
  }

  #closing(): boolean {
    const self = this.client as RedisShape & { manuallyClosing?: boolean };
    return self.status === 'end' || self.manuallyClosing === true;
  }

  #serve(generation: CredentialsGeneration): void {
    this.applyCredentials(generation);
    if (this.#rotation) this.#rotation.served = generation.generation;
    else this.#served = generation;
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
    if (previous.kind === 'rotating' && next.kind !== 'rotating') {
      this.#rotationAbort(new Error('the connection was closed'));
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
        if (this.#monitorReconnecting) return;
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
    if (this.client.status === 'monitoring') {
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
    const args = username === undefined ? [password ?? ''] : [username, password ?? ''];
    this.#authCount++;
    const state = this.#state;
    let settled = false;
    const { clock, reauthTimeoutMs } = this.#host.options;
    // Behind a blocking command the reply legitimately waits; otherwise no reply in time is a failure.
    const deadline = blocked
      ? undefined
      : clock.setTimeout(() => {
          if (settled || this.#state !== state) return;
          settled = true;
          this.#lastError = new ReauthenticationError(this.label, {
            cause: new Error(`no reply to AUTH within ${reauthTimeoutMs} ms`),
          });
          this.#feed({ type: 'auth-failed', refused: false });
        }, reauthTimeoutMs);
    const self = this.client;
    let reply: Promise<unknown>;
    try {
      reply = self.auth(...args);
    } catch (error) {
      reply = Promise.reject(error);
    }
    reply.then(
      () => {
        if (deadline !== undefined) clock.clearTimeout(deadline);
        if (settled) return;
        settled = true;
        this.#remember(usable);
        this.#feed({ type: 'auth-succeeded', generation: target });
      },
      (cause: unknown) => {
        if (deadline !== undefined) clock.clearTimeout(deadline);
        if (settled) return;
        settled = true;
        // The socket went away: its reconnect handshake takes the newest credentials.
        if (!isServing(self.status)) {
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
   * A monitor connection takes the new credentials by reconnecting at once: ioredis queues every
   * command of a connection in `monitoring` status (AUTH included, though Redis accepts it there)
   * until it reconnects, so an AUTH would only be sent after the server evicted the connection.
   * The reconnect handshake carries the newest credentials and ioredis issues MONITOR again; the
   * feed misses what runs during the reconnect (milliseconds) instead of being cut at expiry.
   */
  #reconnectMonitor(): void {
    this.#monitorReconnecting = true;
    reconnectNow(this.client).then(
      () => {
        this.#monitorReconnecting = false;
      },
      () => {
        // Closed meanwhile (quit / disconnect): the close listeners have settled the state.
        this.#monitorReconnecting = false;
      },
    );
  }

  #rotationAbort(reason: Error): void {
    const rotation = this.#rotation;
    if (!rotation) return;
    this.#rotation = undefined;
    rotation.controller.abort(reason);
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
    const self = this.client;
    const duplicate = this.#original('duplicate') as RedisShape['duplicate'];
    rotateSubscriber(self, {
      signal: controller.signal,
      duplicate: (overrides) => duplicate.call(self, overrides),
      reconnect: () => {
        if (controller.signal.aborted) return Promise.reject(controller.signal.reason);
        rotation.broke = true;
        return reconnectNow(self);
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
          // The subscriber was switched already: its own reconnect goes on, and its handshake
          // took or takes the newest credentials. Pick up from where it is.
          this.#lastError = undefined;
          this.#feed({ type: 'disconnected' });
          if (self.status === 'connect' || self.status === 'ready') {
            this.#feed({ type: 'connect' });
            if (rotation.served !== undefined)
              this.#feed({ type: 'handshake-served', generation: rotation.served });
          }
          if (self.status === 'ready') this.#feed({ type: 'ready' });
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

  #emitReauthenticated(generation: number, via: IoredisAuthEvents['reauthenticated']['via']): void {
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

  // ── wrappers on the instance (restored by stop) ───────────────────────────────────────────

  #original(name: Wrapped): unknown {
    const entry = this.#wrapped.find((w) => w.name === name);
    return entry ? entry.original : (this.client as unknown as Record<string, unknown>)[name];
  }

  #wrap(bindDuplicates: boolean): void {
    const self = this.client;
    const connection = this;
    const originalConnect = self.connect;
    // ioredis' own reconnect timer and its lazy first command call `this.connect()`: an own
    // property on the instance is what they find.
    this.#install('connect', originalConnect, function connect(this: RedisShape, callback?: unknown) {
      const promise = connection.#connect(originalConnect);
      if (typeof callback === 'function') {
        promise.then(
          () => callback(null),
          (error: unknown) => callback(error),
        );
      }
      return promise;
    });
    const originalSend = self.sendCommand;
    this.#install(
      'sendCommand',
      originalSend,
      function sendCommand(this: RedisShape, command: CommandShape, stream?: unknown) {
        const result = originalSend.call(this, command, stream);
        const name = command?.name;
        if (typeof name === 'string' && OBSERVED_COMMANDS.has(name.toLowerCase()))
          connection.#observe(command);
        return result;
      },
    );
    if (bindDuplicates) {
      const originalDuplicate = self.duplicate;
      this.#install('duplicate', originalDuplicate, function duplicate(this: RedisShape, override?: object) {
        const lazy =
          (override as { lazyConnect?: boolean } | undefined)?.lazyConnect ?? self.options.lazyConnect;
        // Created lazily so that its first connect goes through the binding too.
        const copy = originalDuplicate.call(this, { ...override, lazyConnect: true });
        copy.options.lazyConnect = lazy;
        connection.#host.bindDuplicate(copy, connection);
        if (!lazy) copy.connect().catch(() => {});
        return copy;
      });
    }
  }

  /** Label of the next duplicate of this connection. */
  nextDuplicateLabel(): string {
    return `${this.label}/duplicate#${++this.#duplicates}`;
  }

  #install(name: Wrapped, original: unknown, wrapper: unknown): void {
    (this.client as unknown as Record<string, unknown>)[name] = wrapper;
    this.#wrapped.push({ name, original, wrapper });
  }

  #observe(command: CommandShape): void {
    if (this.#state.kind === 'stopped') return;
    const args = [command.name, ...(command.args as Array<string | Buffer | number>)];
    const kind = commandKind(args);
    if (kind === 'other') return;
    const promise = command.promise;
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
        // After the current synchronous write (a pipeline writes MULTI … EXEC in one go): the
        // deferred AUTH lands behind the EXEC / DISCARD, never inside a pipeline.
        queueMicrotask(() => this.sync());
        return;
      case 'reset':
        this.#multi = undefined;
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

/**
 * Drops the socket and reconnects at once (not after the retry strategy's delay; also for
 * connections that have none, such as a cluster's subscriber), resolving once ready again.
 */
function reconnectNow(redis: RedisShape): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const options = redis.options;
    const hadOwn = Object.hasOwn(options, 'retryStrategy');
    const retryStrategy = options.retryStrategy;
    const restore = () => {
      if (options.retryStrategy !== immediately) return;
      if (hadOwn) options.retryStrategy = retryStrategy;
      else delete options.retryStrategy;
    };
    const immediately = () => 0;
    options.retryStrategy = immediately;
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('the subscriber was closed while reconnecting'));
    };
    const cleanup = () => {
      restore();
      redis.off('ready', onReady);
      redis.off('end', onEnd);
      redis.off('reconnecting', restore);
    };
    redis.once('reconnecting', restore);
    redis.once('ready', onReady);
    redis.once('end', onEnd);
    try {
      redis.disconnect(true);
    } catch (error) {
      cleanup();
      reject(error);
    }
  });
}

/**
 * The connection serves commands: `ready`, or `monitoring` (a `monitor()` connection, which ioredis
 * moves on from `ready`; it is re-authenticated by a reconnect, see `#reconnectMonitor`).
 */
function isServing(status: string): boolean {
  return status === 'ready' || status === 'monitoring';
}
