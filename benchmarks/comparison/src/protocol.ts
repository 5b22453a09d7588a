/** The three ways of authenticating that the benchmark compares. */
export type ContenderId = 'authx' | 'redis-entraid' | 'static';

export const CONTENDERS: readonly ContenderId[] = ['authx', 'redis-entraid', 'static'];

/** Column titles in the printed table and the chart. */
export const CONTENDER_LABELS: Readonly<Record<ContenderId, string>> = {
  authx: 'authx',
  'redis-entraid': '@redis/entraid',
  static: 'static token',
};

/** What a worker needs to build its clients; sent over IPC (never argv/env: the static token is a secret). */
export interface WorkerConfig {
  readonly contender: ContenderId;
  readonly redisUrl: string;
  /** Client id of the user-assigned managed identity the token-based contenders use. */
  readonly managedIdentityClientId: string;
  /** Static contender only: the never-expiring token and its `oid`. */
  readonly staticCredentials?: { readonly username: string; readonly password: string };
}

/** Options of the combined rotation run (RESP2 pub/sub plus steady load). */
export interface RotationRunRequest {
  readonly durationMs: number;
  /** Milliseconds between two PUBLISH commands. */
  readonly publishIntervalMs: number;
  /** Load clients; alternately RESP2 and RESP3. */
  readonly loadClients: number;
  /** Milliseconds between two commands of one load client. */
  readonly loadIntervalMs: number;
}

/** What the worker saw during a rotation run; times are epoch ms. */
export interface RotationRunResult {
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** Numbers whose PUBLISH succeeded, with its reply (receivers). */
  readonly published: ReadonlyArray<readonly [n: number, atMs: number, receivers: number]>;
  readonly publishFailed: number;
  /** Messages delivered to the RESP2 subscriber, in order. */
  readonly received: ReadonlyArray<readonly [n: number, atMs: number]>;
  readonly loadOk: number;
  readonly loadFailed: number;
  /** `error` events of all clients. */
  readonly clientErrors: number;
  /** A few distinct error messages, for the README's explanations. */
  readonly errorSamples: readonly string[];
}

/** Result of opening N connections. */
export interface OpenResult {
  readonly connections: number;
  readonly connectMs: number;
  /** heapUsed after gc with the provider built and no connection. */
  readonly heapBeforeBytes: number;
  /** heapUsed after gc with every connection open. */
  readonly heapAfterBytes: number;
}

/** Reply to `end`: the client `error` events of the scenario. */
export interface ScenarioErrors {
  readonly clientErrors: number;
  readonly errorSamples: readonly string[];
}

/** Reply to `ping-floor`: one PING on each open connection, all sent in one synchronous pass. */
export interface PingFloorResult {
  /** From the pass that sent them to the last reply, in ms (worker clock). */
  readonly lastReplyMs: number;
  readonly failed: number;
}

/** Reply to `cold-start`: a fresh provider, N clients calling connect() at once. */
export interface ColdStartResult {
  /** From the first connect() call to the last ready, in ms (worker clock). */
  readonly connectAllMs: number;
  readonly ready: number;
  readonly failed: number;
  readonly clientErrors: number;
  /** Epoch ms of the first connect() call and of the last ready (to read the parent's logs by). */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
}

/** How the throughput slices send their commands. */
export type Pipelining = 'pipelined' | 'unpipelined';

/** Options of one throughput slice: a fixed number of SET/GET commands on the first connection. */
export interface ThroughputSliceRequest {
  readonly mode: Pipelining;
  readonly commands: number;
  /** Pipelined only: commands sent together (half SET, half GET). */
  readonly batch: number;
}

/** One slice: how long the fixed work took, and the worker's CPU time meanwhile. */
export interface ThroughputResult {
  readonly ops: number;
  readonly durationMs: number;
  /** User + system CPU time of the worker process during the slice. */
  readonly cpuMs: number;
  readonly failed: number;
}

/**
 * Requests the parent sends; each gets exactly one reply with the same id. `begin` builds a fresh
 * provider (and binding) for a scenario, `end` closes its connections and stops its refresh loop.
 */
export type WorkerRequest =
  | { readonly id: number; readonly type: 'init'; readonly config: WorkerConfig }
  | { readonly id: number; readonly type: 'begin' }
  | { readonly id: number; readonly type: 'end' }
  | { readonly id: number; readonly type: 'rotation-run'; readonly options: RotationRunRequest }
  | {
      readonly id: number;
      readonly type: 'open';
      readonly connections: number;
      readonly measureHeap: boolean;
    }
  | { readonly id: number; readonly type: 'ping-all' }
  | { readonly id: number; readonly type: 'ping-floor' }
  | { readonly id: number; readonly type: 'trace-auth'; readonly on: boolean }
  | { readonly id: number; readonly type: 'throughput'; readonly slice: ThroughputSliceRequest }
  | { readonly id: number; readonly type: 'shutdown' }
  | {
      readonly id: number;
      readonly type: 'cold-start';
      readonly connections: number;
      /** Obtain the provider's first token before the connects. */
      readonly warm: boolean;
    };

export type WorkerReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** First message of a worker: its modules are loaded. */
export interface WorkerReady {
  readonly type: 'ready';
}
