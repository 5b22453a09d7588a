/** Durations and sizes of one run; `--quick` shrinks them for a smoke run. */
export interface RunPlan {
  readonly quick: boolean;
  /** Lifetime of the Entra emulator's tokens, in seconds. */
  readonly tokenLifetimeSec: number;
  /** Length of each contender's rotation run (pub/sub + steady load), in ms. */
  readonly rotationRunMs: number;
  /** Milliseconds between two numbered PUBLISH commands. */
  readonly publishIntervalMs: number;
  /** Load clients of the rotation run (alternately RESP2 and RESP3). */
  readonly loadClients: number;
  /** Milliseconds between two commands of one load client. */
  readonly loadIntervalMs: number;
  /** Server-side kills before AUTHs per refresh are counted again (K). */
  readonly reconnectKills: number;
  /** Refreshes observed after the kills. */
  readonly reconnectRefreshes: number;
  /** Connection counts of the fan-out (time to re-authenticate, heap per connection). */
  readonly fanoutSizes: readonly number[];
  /** Throughput rounds per mode (each contender one slice per round, order rotating). */
  readonly throughputRounds: number;
  /** Commands of one pipelined slice. */
  readonly throughputPipelinedCommands: number;
  /** Commands of one unpipelined slice (each awaited before the next). */
  readonly throughputUnpipelinedCommands: number;
  /** Commands per pipelined batch (half SET, half GET). */
  readonly throughputBatch: number;
  /** Clients connecting at once in the cold-start scenario. */
  readonly coldStartConnections: number;
  /** Cold-start rounds (each contender cold and warm once per round, order alternating). */
  readonly coldStartRounds: number;
}

export function runPlan(argv: readonly string[]): RunPlan {
  const unknown = argv.filter((arg) => arg !== '--quick');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]}; accepted: --quick`);
  const quick = argv.includes('--quick');
  return {
    quick,
    tokenLifetimeSec: 3,
    // 3 s tokens live 3–4 s (exp is rounded up to whole seconds) and are refreshed at 70 %, every
    // 2.1–2.8 s: 16 s holds at least 5 refreshes.
    rotationRunMs: quick ? 5000 : 16_000,
    publishIntervalMs: 5,
    loadClients: 4,
    loadIntervalMs: 5,
    reconnectKills: 3,
    reconnectRefreshes: quick ? 1 : 2,
    fanoutSizes: quick ? [100] : [100, 1000, 5000],
    throughputRounds: quick ? 30 : 300,
    throughputPipelinedCommands: 1000,
    throughputUnpipelinedCommands: 200,
    throughputBatch: 200,
    coldStartConnections: quick ? 100 : 1000,
    coldStartRounds: quick ? 2 : 5,
  };
}
