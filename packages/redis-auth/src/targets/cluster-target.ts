import type { Destination } from '@authx/token-core';
import type { TrackedConnection } from '../connection';
import type { ClientShape, ClusterNodeShape, ClusterShape } from '../redis-shapes';
import { type ClientOptionsShape, destinationOf } from '../transport';
import type { BoundTarget, TargetHost } from './target';

interface ClusterOptionsShape {
  rootNodes?: ClientOptionsShape[];
  defaults?: ClientOptionsShape;
}

/**
 * A `createCluster()` cluster: every node client, the pub/sub client and each sharded pub/sub
 * client, found through the cluster's public `masters` / `replicas` / `pubSubNode` and rescanned
 * whenever a node connects.
 */
export class ClusterTarget implements BoundTarget {
  readonly target: ClusterShape;
  readonly #host: TargetHost;
  readonly #label: string;
  readonly #known = new Map<ClientShape, TrackedConnection>();
  #stopped = false;
  readonly #onNodeConnect = () => this.#scan();

  constructor(host: TargetHost, cluster: ClusterShape, label: string) {
    this.target = cluster;
    this.#host = host;
    this.#label = label;
    cluster.on('node-connect', this.#onNodeConnect);
    this.#scan();
  }

  sweep(): void {
    this.#scan();
    for (const connection of this.#known.values()) connection.sync();
  }

  connections(): Iterable<TrackedConnection> {
    return this.#known.values();
  }

  isOpen(): boolean {
    return this.target.isOpen;
  }

  stop(): void {
    this.#stopped = true;
    this.target.off('node-connect', this.#onNodeConnect);
    for (const connection of this.#known.values()) connection.stop();
    this.#known.clear();
  }

  sharedDestinations(): ReadonlyArray<{ destination: Destination; label: string }> {
    const self = (this.target as { _self?: { _options?: ClusterOptionsShape } })._self ?? this.target;
    const options = (self as { _options?: ClusterOptionsShape })._options;
    const defaults = options?.defaults ?? {};
    return (options?.rootNodes ?? []).map((root) => {
      const destination = destinationOf({
        ...defaults,
        ...root,
        socket: { ...defaults.socket, ...root?.socket },
      });
      const address = destination.path ?? `${destination.host ?? 'localhost'}:${destination.port ?? ''}`;
      return { destination, label: `${this.#label}/discovery@${address}` };
    });
  }

  #scan(): void {
    if (this.#stopped) return;
    let nodes: ClusterNodeShape[];
    try {
      nodes = [...this.target.masters, ...this.target.replicas];
    } catch {
      return;
    }
    for (const node of nodes) {
      const address = node.address ?? `${node.host}:${node.port}`;
      if (node.client) this.#discover(node.client, address);
      if (node.pubSub?.client) this.#discover(node.pubSub.client, `sharded-pubsub@${address}`);
    }
    const pubSub = this.target.pubSubNode;
    if (pubSub?.client) this.#discover(pubSub.client, `pubsub@${pubSub.address}`);
  }

  #discover(client: ClientShape, name: string): void {
    const self = client._self ?? client;
    if (this.#known.has(self)) return;
    // A node found from its 'node-connect' event is mid-handshake: that handshake uses the
    // binding's newest credentials, so it needs no AUTH once ready.
    const connection = this.#host.track(self, `${this.#label}/${name}`, {
      persistent: false,
      connecting: self.isOpen && !self.isReady,
    });
    this.#known.set(self, connection);
    connection.onStop(() => this.#known.delete(self));
    connection.sync();
  }
}
