import type { TrackedConnection } from '../connection';
import type { ClientShape } from '../redis-shapes';
import type { BoundTarget, TargetHost } from './target';

/**
 * A standalone client (or a duplicate) while it is open. When its owner closes it the binding
 * drops this target (nothing of it is kept); the client stays bound and a later `connect()`
 * tracks it again.
 */
export class ClientTarget implements BoundTarget {
  readonly target: ClientShape;
  readonly connection: TrackedConnection;

  constructor(host: TargetHost, client: ClientShape, label: string) {
    this.target = client;
    this.connection = host.track(client, label, { persistent: true, connecting: false });
  }

  sweep(): void {
    this.connection.sync();
  }

  connections(): Iterable<TrackedConnection> {
    return [this.connection];
  }

  isOpen(): boolean {
    return this.target.isOpen;
  }

  stop(): void {
    this.connection.stop();
  }
}
