import type { RedisAuth } from '@authx/redis-auth';

/** Re-authentications with AUTH on live connections so far (not reconnect handshakes). */
export interface ReauthLog {
  readonly count: number;
  /** Per connection label (`client#1`, `cluster#1/127.0.0.1:7000`, …). */
  readonly byConnection: ReadonlyMap<string, number>;
}

/**
 * Counts the binding's re-authentications and prints each one (`client#1 re-authenticated with
 * credentials #2 (auth)`, unless `logEach` is false; `credentials` names what rotates) and each
 * failure.
 */
export function logReauths(
  auth: Pick<RedisAuth, 'events'>,
  { logEach = true, credentials = 'credentials' }: { logEach?: boolean; credentials?: string } = {},
): ReauthLog {
  let count = 0;
  const byConnection = new Map<string, number>();
  auth.events.on('reauthenticated', ({ connection, generation, via }) => {
    if (via === 'auth') {
      count++;
      byConnection.set(connection, (byConnection.get(connection) ?? 0) + 1);
    }
    if (logEach) console.log(`${connection} re-authenticated with ${credentials} #${generation} (${via})`);
  });
  auth.events.on('reauthFailed', ({ connection, error }) =>
    console.log(`${connection} re-auth failed: ${error.code}`),
  );
  return {
    get count() {
      return count;
    },
    byConnection,
  };
}
