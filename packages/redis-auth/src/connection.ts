import type { TimerHandle, TypedEventEmitter } from '@authx/token-core';
import { blockingTimeoutMs, commandKind } from './command-kinds';
import type { CredentialsGeneration, CredentialsSource } from './credentials-source';
import { PubSubRotationError, ReauthenticationError } from './errors';
import type { ReauthDeferralReason, RedisAuthEvents } from './events';
import type { ResolvedRedisAuthOptions } from './options';
import type { AsyncCredentialsProvider } from './provider';
import { rotateSubscriber } from './pubsub-rotation';
import type { ClientShape, RedisArgs } from './redis-shapes';

/** What a tracked connection needs from its binding. */
export interface ConnectionHost {
  readonly source: CredentialsSource;
  readonly options: ResolvedRedisAuthOptions;
  readonly events: TypedEventEmitter<RedisAuthEvents>;
  readonly credentialsProvider: AsyncCredentialsProvider;
  /** Counts credential changes; compared across a handshake to know whether it used the newest. */
  readonly updateCount: number;
  reportToProvider(error: Error): void;
  connectionClosed(connection: TrackedConnection): void;
  /** Tracking of `connection` stopped for good (closed by its owner, or unbound). */
  connectionStopped(connection: TrackedConnection): void;
}

export interface TrackedConnectionOptions {
  /**
   * Keep tracking after the connection ends (a standalone client may be connected again);
   * pooled and cluster connections are dropped and rediscovered instead.
   */
  persistent: boolean;
  /**
   * Found between its 'connect' event and its handshake (a cluster node reported by
   * 'node-connect'): that handshake asks the binding for credentials, so no AUTH is needed.
   */
  connecting: boolean;
}

type SendCommand = (this: unknown, args: RedisArgs, options?: object) => Promise<unknown>;

/**
 * One node-redis connection bound to the credentials: re-authenticates it after each change
 * (AUTH in place; make-before-break for a RESP2 subscriber), never inside a hand-written MULTI,
 * and retries until it uses the newest credentials or ends.
 */
export class TrackedConnection {
  readonly label: string;
  readonly client: ClientShape;
  readonly #self: ClientShape & { sendCommand: SendCommand };
  readonly #host: ConnectionHost;
  readonly #persistent: boolean;
  readonly #originalSendCommand: SendCommand;
  readonly #wrappedSendCommand: SendCommand;
  #authGeneration: number | undefined;
  #authExpiresAtMs: number | undefined;
  #updateCountAtConnect = -1;
  #transactionOpen = false;
  // Created on the first blocking command: most connections never send one, and an empty Map per
  // connection adds up over thousands of connections.
  #blockingUntilMs: Map<number, number> | undefined;
  #blockingSeq = 0;
  #busy = false;
  #acquiring = false;
  #rotating = false;
  #retryTimer: TimerHandle | undefined;
  #attempt = 0;
  #lastDeferral = '';
  #stopped = false;
  #authCount = 0;
  #stopListeners: ReadonlyArray<() => void> | undefined;

  constructor(host: ConnectionHost, client: ClientShape, label: string, options: TrackedConnectionOptions) {
    this.#host = host;
    this.client = client;
    this.label = label;
    this.#persistent = options.persistent;
    const self = (client._self ?? client) as ClientShape & { sendCommand: SendCommand };
    this.#self = self;
    // Every later handshake of this connection (reconnects) takes the newest credentials from the binding.
    if (self.options && self.options.credentialsProvider !== host.credentialsProvider) {
      self.options.credentialsProvider = host.credentialsProvider;
    }
    this.#originalSendCommand = self.sendCommand;
    const connection = this;
    const original = this.#originalSendCommand;
    this.#wrappedSendCommand = function sendCommand(this: unknown, args: RedisArgs, commandOptions?: object) {
      const promise = original.call(this, args, commandOptions);
      const kind = commandKind(args);
      if (kind !== 'other') connection.#observe(kind, args, promise);
      return promise;
    };
    // An own property on the instance shadows the prototype method for the client and every
    // proxy node-redis derives from it (withTypeMapping, commands, cluster routing).
    self.sendCommand = this.#wrappedSendCommand;
    self.on('connect', this.#onConnect);
    self.on('ready', this.#onReady);
    self.on('end', this.#onEnd);
    // Emitted instead of 'end' when the reconnect strategy gives up.
    self.on('terminated', this.#onEnd);
    if (options.connecting) this.#updateCountAtConnect = host.updateCount;
  }

  /** Runs `listener` once when tracking stops (owner closed a non-persistent connection, or unbind). */
  onStop(listener: () => void): void {
    // Exact-size arrays: a pushed-to array reserves room for 17 entries; connections have one or none.
    this.#stopListeners = this.#stopListeners ? [...this.#stopListeners, listener] : [listener];
  }

  /** Generation of the credentials this connection is known to use (undefined: unknown yet). */
  get authGeneration(): number | undefined {
    return this.#authGeneration;
  }

  /** AUTH commands this binding sent on this connection (not counting handshakes). */
  get authCommandsSent(): number {
    return this.#authCount;
  }

  get isOpen(): boolean {
    return this.#self.isOpen;
  }

  get isPubSubRotationInProgress(): boolean {
    return this.#rotating;
  }

  /** Brings the connection onto the newest credentials if it is not already (idempotent). */
  sync(): void {
    if (this.#stopped || !this.#self.isOpen || this.#busy || this.#retryTimer !== undefined) return;
    const current = this.#host.source.current;
    if (!current) {
      this.#acquireThenSync();
      return;
    }
    if (this.#authGeneration === current.generation) return;
    if (!this.#self.isReady) {
      this.#defer(current, 'reconnecting');
      return;
    }
    if (this.#resp() === 2 && this.#self.isPubSubActive) {
      this.#rotate(current);
      return;
    }
    if (this.#transactionOpen) {
      this.#defer(current, 'transaction');
      return;
    }
    this.#sendAuth(current);
  }

  /** Stops tracking: restores `sendCommand`, removes listeners, clears timers. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearRetry();
    if (this.#self.sendCommand === this.#wrappedSendCommand) {
      delete (this.#self as { sendCommand?: SendCommand }).sendCommand;
      // The instance had no own sendCommand before; if it had, put it back.
      if (this.#self.sendCommand !== this.#originalSendCommand)
        this.#self.sendCommand = this.#originalSendCommand;
    }
    this.#self.off('connect', this.#onConnect);
    this.#self.off('ready', this.#onReady);
    this.#self.off('end', this.#onEnd);
    this.#self.off('terminated', this.#onEnd);
    this.#host.connectionStopped(this);
    const listeners = this.#stopListeners;
    this.#stopListeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  #resp(): 2 | 3 {
    return this.#self.options?.RESP === 2 ? 2 : 3;
  }

  #observe(kind: ReturnType<typeof commandKind>, args: RedisArgs, promise: Promise<unknown>): void {
    if (kind === 'multi') {
      this.#transactionOpen = true;
    } else if (kind === 'end-transaction') {
      if (!this.#transactionOpen) return;
      this.#transactionOpen = false;
      // Queued right behind the EXEC / DISCARD just enqueued: the deferred AUTH lands after it.
      this.sync();
    } else if (kind === 'blocking') {
      const id = ++this.#blockingSeq;
      const blocking = (this.#blockingUntilMs ??= new Map());
      blocking.set(id, this.#host.options.clock.now() + blockingTimeoutMs(args));
      const done = () => blocking.delete(id);
      promise.then(done, done);
    }
  }

  #onConnect = (): void => {
    if (this.#rotating) return;
    this.#updateCountAtConnect = this.#host.updateCount;
  };

  #onReady = (): void => {
    if (this.#rotating || this.#stopped) return;
    // A new socket has no transaction and no blocked command.
    this.#transactionOpen = false;
    this.#blockingUntilMs = undefined;
    this.#lastDeferral = '';
    const current = this.#host.source.current;
    // node-redis emits 'connect' before the handshake asks for credentials: if nothing changed
    // since, the handshake used the newest ones.
    if (current && this.#updateCountAtConnect === this.#host.updateCount) {
      const wasStale = this.#authGeneration !== undefined && this.#authGeneration !== current.generation;
      this.#markAuthenticated(current);
      this.#clearRetry();
      this.#attempt = 0;
      if (wasStale) this.#emitReauthenticated(current, 'handshake');
      return;
    }
    this.sync();
  };

  #onEnd = (): void => {
    if (this.#rotating) return;
    this.#clearRetry();
    this.#busy = false;
    this.#transactionOpen = false;
    this.#blockingUntilMs = undefined;
    if (!this.#persistent) this.stop();
    this.#host.connectionClosed(this);
  };

  #acquireThenSync(): void {
    if (this.#acquiring) return;
    this.#acquiring = true;
    this.#host.source.acquire().then(
      () => {
        this.#acquiring = false;
        this.sync();
      },
      () => {
        // Already reported as a providerError; the next refresh or reconnect tries again.
        this.#acquiring = false;
      },
    );
  }

  #sendAuth(current: CredentialsGeneration): void {
    this.#busy = true;
    const blocking = this.#blockingUntilMs;
    if (blocking !== undefined && blocking.size > 0) {
      const blockedUntilMs = Math.max(...blocking.values());
      const expiresAtMs = this.#authExpiresAtMs;
      this.#defer(
        current,
        'blocking-command',
        expiresAtMs === undefined ? undefined : blockedUntilMs >= expiresAtMs,
      );
    }
    const { username, password } = current.credentials;
    const args = username === undefined ? ['AUTH', password ?? ''] : ['AUTH', username, password ?? ''];
    this.#authCount++;
    this.#originalSendCommand.call(this.#self, args).then(
      () => {
        this.#busy = false;
        this.#attempt = 0;
        this.#markAuthenticated(current);
        this.#emitReauthenticated(current, 'auth');
        this.sync();
      },
      (cause: unknown) => {
        this.#busy = false;
        if (this.#stopped) return;
        // The socket went away: the reconnect handshake takes the newest credentials ('ready' checks).
        if (!this.#self.isReady) {
          this.#defer(current, 'reconnecting');
          return;
        }
        this.#fail(current, new ReauthenticationError(this.label, { cause }));
      },
    );
  }

  #rotate(current: CredentialsGeneration): void {
    this.#busy = true;
    this.#rotating = true;
    const self = this.#self;
    const reconnect = () => {
      // Same tick: callers never observe the client closed; node-redis resubscribes on connect.
      self.destroy();
      return self.connect();
    };
    const updateCountAtStart = this.#host.updateCount;
    rotateSubscriber(self, reconnect, () => {
      // Bridge socket errors surface as a failed rotation below.
    }).then(
      (result) => {
        this.#rotating = false;
        this.#busy = false;
        this.#attempt = 0;
        // The reconnect handshake asked for credentials after the rotation began.
        const used = this.#host.updateCount === updateCountAtStart ? current : this.#host.source.current;
        if (used) {
          this.#markAuthenticated(used);
          this.#host.events.emit('pubsubRotated', {
            connection: this.label,
            generation: used.generation,
            ...result,
          });
          this.#emitReauthenticated(used, 'pubsub-rotation');
        }
        this.sync();
      },
      (cause: unknown) => {
        this.#rotating = false;
        this.#busy = false;
        if (this.#stopped) return;
        if (!self.isOpen) {
          this.#onEnd();
          return;
        }
        this.#fail(current, new PubSubRotationError(this.label, { cause }));
      },
    );
  }

  #fail(current: CredentialsGeneration, error: ReauthenticationError | PubSubRotationError): void {
    this.#attempt++;
    const { reauthInitialDelayMs, reauthMaxDelayMs, clock } = this.#host.options;
    let retryInMs = Math.min(reauthMaxDelayMs, reauthInitialDelayMs * 2 ** (this.#attempt - 1));
    // Heal before the credentials in use run out: never wait past half of the time left.
    if (this.#authExpiresAtMs !== undefined) {
      retryInMs = Math.min(
        retryInMs,
        Math.max(reauthInitialDelayMs, (this.#authExpiresAtMs - clock.now()) / 2),
      );
    }
    retryInMs = Math.round(retryInMs);
    this.#retryTimer = clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.sync();
    }, retryInMs);
    this.#host.events.emit('reauthFailed', {
      connection: this.label,
      generation: current.generation,
      error,
      attempt: this.#attempt,
      retryInMs,
    });
    this.#host.reportToProvider(error);
  }

  #defer(current: CredentialsGeneration, reason: ReauthDeferralReason, willMissExpiry?: boolean): void {
    const key = `${current.generation}:${reason}`;
    if (this.#lastDeferral === key) return;
    this.#lastDeferral = key;
    this.#host.events.emit('reauthDeferred', {
      connection: this.label,
      generation: current.generation,
      reason,
      expiresAtMs: this.#authExpiresAtMs,
      willMissExpiry,
    });
  }

  #markAuthenticated(current: CredentialsGeneration): void {
    this.#authGeneration = current.generation;
    this.#authExpiresAtMs = current.expiresAtMs;
  }

  #emitReauthenticated(current: CredentialsGeneration, via: RedisAuthEvents['reauthenticated']['via']): void {
    this.#host.events.emit('reauthenticated', {
      connection: this.label,
      generation: current.generation,
      via,
    });
  }

  #clearRetry(): void {
    if (this.#retryTimer === undefined) return;
    this.#host.options.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }
}
