import type { TrackedConnection } from '../connection';
import type { ClientShape, PoolShape } from '../redis-shapes';
import type { BoundTarget, TargetHost } from './target';

type Execute = PoolShape['execute'];

/**
 * A `createClientPool()` pool. node-redis exposes pooled clients only through `execute()`, so
 * the binding wraps it to meet each client when it serves a task, and after each credentials
 * change borrows the idle ones (round-robin through the idle list, never growing the pool).
 */
export class PoolTarget implements BoundTarget {
  readonly target: PoolShape;
  readonly #host: TargetHost;
  readonly #label: string;
  readonly #instance: PoolShape & { execute: Execute };
  readonly #originalExecute: Execute;
  readonly #wrappedExecute: Execute;
  readonly #known = new Map<ClientShape, TrackedConnection>();
  #count = 0;
  #sweeping = false;
  #stopped = false;

  constructor(host: TargetHost, pool: PoolShape, label: string) {
    this.target = pool;
    this.#host = host;
    this.#label = label;
    const instance = (pool._self ?? pool) as PoolShape & { execute: Execute };
    this.#instance = instance;
    this.#originalExecute = instance.execute;
    const original = this.#originalExecute;
    const discover = (client: ClientShape) => this.#discover(client);
    this.#wrappedExecute = function execute<R>(this: unknown, fn: (client: ClientShape) => R) {
      return original.call(this, (client: ClientShape) => {
        try {
          discover(client);
        } catch {
          // Tracking must never break the task (node-redis 6.0 loses a client whose task throws).
        }
        return fn(client);
      }) as Promise<Awaited<R>>;
    };
    // Shadows the prototype method for the pool and every proxy node-redis derives from it.
    instance.execute = this.#wrappedExecute;
  }

  sweep(): void {
    for (const connection of this.#known.values()) connection.sync();
    void this.#borrowIdle();
  }

  connections(): Iterable<TrackedConnection> {
    return this.#known.values();
  }

  isOpen(): boolean {
    // A closing pool ends its clients before it reports itself closed.
    return this.#instance.isOpen && (this.#instance as { isClosing?: boolean }).isClosing !== true;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#instance.execute === this.#wrappedExecute) {
      delete (this.#instance as { execute?: Execute }).execute;
      if (this.#instance.execute !== this.#originalExecute) this.#instance.execute = this.#originalExecute;
    }
    for (const connection of this.#known.values()) connection.stop();
    this.#known.clear();
  }

  async #borrowIdle(): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      // Each borrowed client goes back to the tail of the idle list: `idleClients` borrows visit each once.
      for (let budget = this.#instance.idleClients; budget > 0 && !this.#stopped; budget--) {
        // Checked right before borrowing, so the pool never creates a client for us.
        if (!this.#instance.isOpen || this.#instance.idleClients === 0) break;
        await this.#instance.execute(() => undefined);
      }
    } catch {
      // The pool closed meanwhile; nothing left to find.
    } finally {
      this.#sweeping = false;
    }
  }

  #discover(client: ClientShape): void {
    const self = client._self ?? client;
    if (this.#stopped || this.#known.has(self)) return;
    const connection = this.#host.track(self, `${this.#label}/client#${++this.#count}`, {
      persistent: false,
      connecting: false,
    });
    this.#known.set(self, connection);
    connection.onStop(() => this.#known.delete(self));
    connection.sync();
  }
}
