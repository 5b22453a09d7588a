import type { Clock, TimerHandle } from '../clock';
import type { ConnectionState } from './connection-lifecycle';

/**
 * The age limit of one connection's authentication (`maxConnectionAgeMs`): some services close a
 * connection a fixed time after its last AUTH (ElastiCache / MemoryDB: 12 h) even when the
 * credentials never changed. Every authentication that takes effect (handshake, AUTH, RESP2
 * rotation) restarts the count; when it runs out on an idle (`ready`) connection, `onDue` makes the
 * connection authenticate again with the current credentials. A connection busy with an AUTH, a
 * rotation or a deferral restarts the count itself when that succeeds.
 */
export class ConnectionAge {
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #onDue: () => void;
  #timer: TimerHandle | undefined;

  constructor(clock: Clock, maxAgeMs: number, onDue: () => void) {
    this.#clock = clock;
    this.#maxAgeMs = maxAgeMs;
    this.#onDue = onDue;
  }

  /** Follows the connection's lifecycle (called with every transition). */
  onTransition(previous: ConnectionState, next: ConnectionState): void {
    if (next.kind === 'closed' || next.kind === 'stopped') {
      this.clear();
      return;
    }
    const authenticated =
      next.kind === 'ready' &&
      next.generation !== undefined &&
      (previous.kind === 'handshaking' || previous.kind === 'authenticating' || previous.kind === 'rotating');
    if (authenticated) this.#restart();
  }

  clear(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #restart(): void {
    this.clear();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#onDue();
    }, this.#maxAgeMs);
  }
}
