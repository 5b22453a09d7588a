import type { BasicAuth } from '@authx/token-core';
import type { AsyncCredentialsProvider } from './provider';
import type { ClientShape } from './redis-shapes';

/** What a client's hooks report to; the tracked connection implements it. */
export interface ClientObserver {
  onConnect(): void;
  onReady(): void;
  /** The socket dropped; node-redis reconnects (`'reconnecting'`). */
  onReconnecting(): void;
  /** `'end'` (closed or destroyed) or `'terminated'` (the reconnect strategy gave up). */
  onEnd(): void;
  /** The handshake of this client asks for credentials. */
  handshakeCredentials(): Promise<BasicAuth>;
}

/** Whoever owns a bound client whose connection is not tracked right now (closed standalone client). */
export interface DormantOwner {
  /** The client connects again: track it (returns the new observer) or `undefined` to ignore. */
  revive(client: ClientShape): ClientObserver | undefined;
  /** Credentials for a handshake of a bound client that has no observer. */
  credentials(): Promise<BasicAuth>;
}

/**
 * The binding's hooks on one node-redis client, created once per client and kept for its life.
 *
 * Listeners are added once and NEVER removed: node-redis hands out `Object.create(client)` proxies
 * whose listeners live in the client's shared `_events` while each proxy counts its own, so a
 * `removeListener` on the client can bring the client's count to 0 and make Node drop every
 * listener of the application with it. When nothing observes the client, the hooks do nothing.
 *
 * The client's `credentialsProvider` is replaced by a per-client provider (so each handshake is
 * recorded for the connection that made it); the original is restored by {@link restore}.
 */
export class ClientHooks {
  readonly self: ClientShape;
  observer: ClientObserver | undefined;
  /** Owner of the bound client between a close() and a later connect(). */
  dormant: DormantOwner | undefined;
  /** The binding this client is bound to as a standalone client, if any. */
  binding: object | undefined;
  /** Set while the binding itself destroys the socket (RESP2 rotation): that 'end' is ours. */
  selfDestroying = false;
  readonly provider: AsyncCredentialsProvider;
  #originalProvider: unknown;
  #swapped = false;

  private constructor(self: ClientShape) {
    this.self = self;
    const hooks = this;
    this.provider = {
      type: 'async-credentials-provider',
      credentials(): Promise<BasicAuth> {
        const observer = hooks.observer;
        if (observer) return observer.handshakeCredentials();
        const dormant = hooks.dormant;
        if (dormant) return dormant.credentials();
        return Promise.reject(new Error('This client is no longer bound to a RedisAuth'));
      },
    };
    self.on('connect', () => {
      if (!this.observer && this.dormant) this.observer = this.dormant.revive(self);
      this.observer?.onConnect();
    });
    self.on('ready', () => this.observer?.onReady());
    self.on('reconnecting', () => this.observer?.onReconnecting());
    self.on('end', () => {
      if (!this.selfDestroying) this.observer?.onEnd();
    });
    // node-redis >= 6.3 emits 'terminated' when its reconnect strategy gives up; 6.0 only emits
    // 'error' with the client already closed.
    self.on('terminated', () => this.observer?.onEnd());
    self.on('error', () => {
      if (!self.isOpen && !this.selfDestroying) this.observer?.onEnd();
    });
  }

  /** The hooks of `client` (created on first use). */
  static of(client: ClientShape): ClientHooks {
    const self = (client._self ?? client) as ClientShape;
    let hooks = registry.get(self);
    if (!hooks) {
      hooks = new ClientHooks(self);
      registry.set(self, hooks);
    }
    return hooks;
  }

  /** Existing hooks of `client`, if any. */
  static find(client: ClientShape): ClientHooks | undefined {
    return registry.get((client._self ?? client) as ClientShape);
  }

  /** Makes every later handshake of the client ask {@link provider}. */
  swapProvider(): void {
    const options = this.self.options;
    if (!options || this.#swapped) return;
    this.#originalProvider = options.credentialsProvider;
    options.credentialsProvider = this.provider;
    this.#swapped = true;
  }

  /** Puts the client's own `credentialsProvider` back. */
  restore(): void {
    const options = this.self.options;
    if (!options || !this.#swapped) return;
    if (options.credentialsProvider === this.provider) options.credentialsProvider = this.#originalProvider;
    this.#originalProvider = undefined;
    this.#swapped = false;
  }
}

const registry = new WeakMap<object, ClientHooks>();

/** `destroy()` that never throws (node-redis 6.0 throws `ClientClosedError` on a closed client). */
export function destroyQuietly(client: { destroy(): void }): void {
  try {
    client.destroy();
  } catch {
    // Already closed.
  }
}
