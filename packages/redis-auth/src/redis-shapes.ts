// The parts of node-redis 6 that the binding uses, as structural types: the binding works with
// any client, pool or cluster type parameters, and never imports node-redis' internals.

export type RedisArgs = ReadonlyArray<string | Buffer>;

export interface PubSubChannelListeners {
  unsubscribing: boolean;
  buffers: Set<(message: Buffer, channel: Buffer) => unknown>;
  strings: Set<(message: string, channel: string) => unknown>;
}

/** node-redis' PUBSUB_TYPE values. */
export type PubSubType = 'CHANNELS' | 'PATTERNS' | 'SHARDED';

export type PubSubListener = (message: Buffer, channel: Buffer) => unknown;

/** A node-redis `RedisClient` (any modules, scripts, RESP version). */
export interface ClientShape {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  readonly isPubSubActive: boolean;
  readonly options?: { RESP?: 2 | 3; credentialsProvider?: unknown; name?: string } | undefined;
  sendCommand(args: RedisArgs, options?: object): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  duplicate(overrides?: object): ClientShape;
  connect(): Promise<unknown>;
  destroy(): void;
  getPubSubListeners(type: PubSubType): Map<string, PubSubChannelListeners>;
  extendPubSubListeners(type: PubSubType, listeners: Map<string, PubSubChannelListeners>): Promise<void>;
  SUBSCRIBE(channels: string | string[], listener: PubSubListener, bufferMode: true): Promise<void>;
  PSUBSCRIBE(patterns: string | string[], listener: PubSubListener, bufferMode: true): Promise<void>;
  SSUBSCRIBE(channels: string | string[], listener: PubSubListener, bufferMode: true): Promise<void>;
  UNSUBSCRIBE(channels?: string | string[], listener?: PubSubListener, bufferMode?: true): Promise<void>;
  PUNSUBSCRIBE(patterns?: string | string[], listener?: PubSubListener, bufferMode?: true): Promise<void>;
  SUNSUBSCRIBE(channels?: string | string[], listener?: PubSubListener, bufferMode?: true): Promise<void>;
  /** node-redis' `_self`: the real instance behind the per-call proxies. */
  readonly _self?: ClientShape;
}

/** A node-redis `RedisClientPool`. */
export interface PoolShape {
  readonly idleClients: number;
  readonly totalClients: number;
  readonly isOpen: boolean;
  execute<R>(fn: (client: ClientShape) => R): Promise<Awaited<R>>;
  connect(): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  readonly _self?: PoolShape;
}

export interface ClusterNodeShape {
  readonly address?: string;
  readonly host?: string;
  readonly port?: number;
  client?: ClientShape;
  pubSub?: { client: ClientShape };
}

/** A node-redis `RedisCluster`. */
export interface ClusterShape {
  readonly masters: ReadonlyArray<ClusterNodeShape>;
  readonly replicas: ReadonlyArray<ClusterNodeShape>;
  readonly pubSubNode?: { address: string; client: ClientShape } | undefined;
  readonly isOpen: boolean;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

export function isClient(value: unknown): value is ClientShape {
  const v = value as ClientShape;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.sendCommand === 'function' &&
    typeof v.duplicate === 'function' &&
    typeof v.getPubSubListeners === 'function' &&
    'isPubSubActive' in v
  );
}

export function isPool(value: unknown): value is PoolShape {
  const v = value as PoolShape;
  return typeof v === 'object' && v !== null && typeof v.execute === 'function' && 'idleClients' in v;
}

export function isCluster(value: unknown): value is ClusterShape {
  const v = value as ClusterShape;
  return typeof v === 'object' && v !== null && 'masters' in v && 'replicas' in v && 'pubSubNode' in v;
}
