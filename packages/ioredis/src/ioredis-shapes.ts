// The parts of ioredis 6 that the binding uses, as structural types: the binding never imports
// ioredis at run time (it is the application's), and works with any `Redis` / `Cluster` typing.

/** ioredis' subscription set (`condition.subscriber`). */
export interface SubscriptionSetShape {
  channels(type: SubscriptionType): string[];
}

export type SubscriptionType = 'subscribe' | 'psubscribe' | 'ssubscribe';

/** What ioredis derives from the options at each connect (`Redis#condition`). */
export interface ConditionShape {
  protocol?: number;
  subscriber: false | SubscriptionSetShape;
}

/** An ioredis command object as `sendCommand` receives it. */
export interface CommandShape {
  name: string;
  args: unknown[];
  promise: Promise<unknown>;
}

export interface RedisOptionsShape {
  username?: string | undefined;
  password?: string | undefined;
  protocol?: number;
  connectTimeout?: number;
  retryStrategy?: ((times: number) => unknown) | null;
  lazyConnect?: boolean;
  monitor?: boolean;
  host?: string;
  port?: number;
  path?: string;
  [option: string]: unknown;
}

/** An ioredis `Redis` (standalone, a duplicate, or a node / subscriber connection of a `Cluster`). */
export interface RedisShape {
  status: string;
  options: RedisOptionsShape;
  condition?: ConditionShape | null;
  readonly isCluster?: boolean;
  connect(callback?: unknown): Promise<void>;
  disconnect(reconnect?: boolean): void;
  duplicate(override?: object): RedisShape;
  sendCommand(command: CommandShape, stream?: unknown): unknown;
  auth(...args: string[]): Promise<unknown>;
  ping(): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  spublish(channel: string, message: string): Promise<unknown>;
  subscribe(...channels: string[]): Promise<unknown>;
  psubscribe(...patterns: string[]): Promise<unknown>;
  ssubscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  sunsubscribe(...channels: string[]): Promise<unknown>;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): boolean;
  listeners(event: string): unknown[];
}

/** An ioredis `Cluster`. Its internals (pool, subscribers) are read defensively: they may change. */
export interface ClusterShape {
  readonly isCluster: true;
  status: string;
  options: { redisOptions?: RedisOptionsShape; [option: string]: unknown };
  nodes(role?: 'all' | 'master' | 'slave'): RedisShape[];
  connectionPool?: { redisOptions?: RedisOptionsShape; specifiedOptions?: Record<string, RedisOptionsShape> };
  subscriber?: { subscriber?: RedisShape | null; selectSubscriber?: () => void } | null;
  shardedSubscribers?: { shardedSubscribers?: Map<string, { instance?: RedisShape | null }> } | null;
  on(event: string, listener: (...args: any[]) => void): unknown;
  off(event: string, listener: (...args: any[]) => void): unknown;
}

export function isRedis(value: unknown): value is RedisShape {
  const v = value as RedisShape | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.isCluster !== true &&
    typeof v.sendCommand === 'function' &&
    typeof v.duplicate === 'function' &&
    typeof v.disconnect === 'function' &&
    typeof v.options === 'object' &&
    v.options !== null &&
    typeof v.status === 'string'
  );
}

export function isCluster(value: unknown): value is ClusterShape {
  const v = value as ClusterShape | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.isCluster === true &&
    typeof v.nodes === 'function' &&
    typeof v.options === 'object' &&
    v.options !== null
  );
}

/** True while the connection is in RESP2 subscriber mode (ioredis refuses AUTH there, client-side). */
export function isResp2Subscriber(redis: RedisShape): boolean {
  const condition = redis.condition;
  return Boolean(condition?.subscriber) && condition?.protocol !== 3;
}

/**
 * Where an ioredis connection with these options goes, as configured: `host` (default
 * `localhost`), `port`, `tls` (any truthy value: ioredis then connects with `tls.connect`), or a
 * Unix socket `path`. The configured name is what counts, never what DNS makes of it.
 */
export function destinationOf(options: RedisOptionsShape | undefined): {
  host: string | undefined;
  port: number | undefined;
  tls: boolean;
  path: string | undefined;
} {
  const path = typeof options?.path === 'string' && options.path.length > 0 ? options.path : undefined;
  return {
    host: typeof options?.host === 'string' ? options.host : undefined,
    port: typeof options?.port === 'number' ? options.port : undefined,
    tls: Boolean(options?.tls),
    path,
  };
}
