/** What the demo counts; the view renders it and the summary judges it. */
export interface DemoStats {
  startedAtMs: number;
  tokens: number;
  tokenExpiresAtMs: number | undefined;
  refreshFailures: number;
  connectionsReauthenticated: number;
  reauthFailures: number;
  pubsubRotations: number;
  commandsOk: number;
  commandsFailed: number;
  published: number;
  delivered: number;
  duplicates: number;
  evictions: number;
  lastError: string | undefined;
}

export function emptyStats(nowMs: number): DemoStats {
  return {
    startedAtMs: nowMs,
    tokens: 0,
    tokenExpiresAtMs: undefined,
    refreshFailures: 0,
    connectionsReauthenticated: 0,
    reauthFailures: 0,
    pubsubRotations: 0,
    commandsOk: 0,
    commandsFailed: 0,
    published: 0,
    delivered: 0,
    duplicates: 0,
    evictions: 0,
    lastError: undefined,
  };
}

/** Messages published but never delivered (only meaningful once publishing has stopped and drained). */
export function lostMessages(stats: DemoStats): number {
  return Math.max(0, stats.published - stats.delivered);
}
