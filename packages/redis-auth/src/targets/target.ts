import type { Destination } from '@authx/token-core';
import type { ConnectionHost, TrackedConnection, TrackedConnectionOptions } from '../connection';
import type { ClientShape } from '../redis-shapes';

/** What a bound client, pool or cluster needs from the binding. */
export interface TargetHost extends ConnectionHost {
  track(client: ClientShape, label: string, options: TrackedConnectionOptions): TrackedConnection;
}

/** A bound client, pool or cluster: finds its connections and keeps them re-authenticated. */
export interface BoundTarget {
  readonly target: object;
  /** Finds connections not tracked yet (pool: borrows idle ones) and syncs every tracked one. */
  sweep(): void;
  connections(): Iterable<TrackedConnection>;
  /** Whether the target is open (connected or reconnecting): the binding keeps its subscription while one is. */
  isOpen(): boolean;
  /** Stops tracking and restores what was replaced; the target keeps the credentials it has. */
  stop(): void;
  /**
   * Destinations of connections that handshake through the binding itself before the binding can
   * tell them apart (a cluster's discovery connections to its root nodes), with a label each.
   */
  sharedDestinations?(): ReadonlyArray<{ destination: Destination; label: string }>;
}
