/** Reconnect quickly, but give up after ~10 s without Redis, so that the example ends instead of waiting forever. */
export function reconnectStrategy(retries: number): number | Error {
  return retries < 12 ? Math.min(50 * 2 ** retries, 1000) : new Error('Redis is unreachable');
}
