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
  revive(hooks: ClientHooks): ClientObserver | undefined;
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
 * The client's `credentialsProvider` is replaced by the hooks themselves, an
 * `async-credentials-provider` (so each handshake is recorded for the connection that made it);
 * the original is restored by {@link restore}.
 *
 * Nothing here is allocated per client but the hooks object: the listeners are module functions
 * shared by every client (they find their hooks from the emitter), and the hooks are the provider.
 * With thousands of connections, per-client closures were most of the binding's heap.
 */
export class ClientHooks implements AsyncCredentialsProvider {
  readonly type = 'async-credentials-provider' as const;
  readonly self: ClientShape;
  observer: ClientObserver | undefined;
  /** Owner of the bound client between a close() and a later connect(). */
  dormant: DormantOwner | undefined;
  /** The binding this client is bound to as a standalone client, if any. */
  binding: object | undefined;
  /** Its label in that binding's events. */
  label: string | undefined;
  /** Set while the binding itself destroys the socket (RESP2 rotation): that 'end' is ours. */
  selfDestroying = false;
  /** What the binding's wrappers replaced on the instance (see `TrackedConnection`); `undefined`: not wrapped. */
  readonly originals: {
    sendCommand: unknown;
    duplicate: unknown;
    _executePipeline: unknown;
    monitor: unknown;
  } = { sendCommand: undefined, duplicate: undefined, _executePipeline: undefined, monitor: undefined };
  /**
   * The client is in monitor mode (`client.monitor()` succeeded, no `reset()` since; node-redis
   * issues MONITOR again on every reconnect): it takes new credentials by reconnecting.
   */
  monitoring = false;
  #originalProvider: unknown;
  #swapped = false;

  private constructor(self: ClientShape) {
    this.self = self;
    for (const [event, listener] of LISTENERS) self.on(event, listener);
  }

  /** What node-redis calls for the client's handshakes (the hooks are its `credentialsProvider`). */
  credentials(): Promise<BasicAuth> {
    const observer = this.observer;
    if (observer) return observer.handshakeCredentials();
    const dormant = this.dormant;
    if (dormant) return dormant.credentials();
    return Promise.reject(new Error('This client is no longer bound to a RedisAuth'));
  }

  /** The per-client provider node-redis is given: the hooks themselves. */
  get provider(): AsyncCredentialsProvider {
    return this;
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

/** The hooks of the client that emitted an event (node-redis emits on the client, `this` of a listener). */
function hooksOf(emitter: unknown): ClientHooks | undefined {
  const client = emitter as ClientShape | undefined;
  return client ? registry.get(client._self ?? client) : undefined;
}

// Shared by every client: a listener finds its client's hooks from `this`, the emitter.
const LISTENERS: ReadonlyArray<readonly [string, (this: unknown) => void]> = [
  [
    'connect',
    function onConnect(this: unknown) {
      const hooks = hooksOf(this);
      if (!hooks) return;
      if (!hooks.observer && hooks.dormant) hooks.observer = hooks.dormant.revive(hooks);
      hooks.observer?.onConnect();
    },
  ],
  [
    'ready',
    function onReady(this: unknown) {
      hooksOf(this)?.observer?.onReady();
    },
  ],
  [
    'reconnecting',
    function onReconnecting(this: unknown) {
      hooksOf(this)?.observer?.onReconnecting();
    },
  ],
  [
    'end',
    function onEnd(this: unknown) {
      const hooks = hooksOf(this);
      if (hooks && !hooks.selfDestroying) hooks.observer?.onEnd();
    },
  ],
  // node-redis >= 6.3 emits 'terminated' when its reconnect strategy gives up; 6.0 only emits
  // 'error' with the client already closed.
  [
    'terminated',
    function onTerminated(this: unknown) {
      hooksOf(this)?.observer?.onEnd();
    },
  ],
  [
    'error',
    function onError(this: unknown) {
      const hooks = hooksOf(this);
      if (hooks && !hooks.self.isOpen && !hooks.selfDestroying) hooks.observer?.onEnd();
    },
  ],
];

/** `destroy()` that never throws (node-redis 6.0 throws `ClientClosedError` on a closed client). */
export function destroyQuietly(client: { destroy(): void }): void {
  try {
    client.destroy();
  } catch {
    // Already closed.
  }
}
