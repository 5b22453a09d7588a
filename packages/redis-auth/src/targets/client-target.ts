import type { TrackedConnection } from '../connection';
import type { ClientShape } from '../redis-shapes';
import type { BoundTarget, TargetHost } from './target';

/** A standalone client (or a duplicate): one connection, tracked across close() and connect(). */
export class ClientTarget implements BoundTarget {
  readonly target: ClientShape;
  readonly #connection: TrackedConnection;

  constructor(host: TargetHost, client: ClientShape, label: string) {
    this.target = client;
    this.#connection = host.track(client, label, { persistent: true, connecting: false });
  }

  sweep(): void {
    this.#connection.sync();
  }

  connections(): Iterable<TrackedConnection> {
    return [this.#connection];
  }

  stop(): void {
    this.#connection.stop();
  }
}
