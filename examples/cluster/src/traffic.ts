import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClusterType } from 'redis';

/** Commands that succeeded and failed during a run, and messages published. */
export interface TrafficResult {
  ok: number;
  failed: number;
  published: number;
}

/** Keys spread over every hash slot range, so that every master serves some. */
const KEY_COUNT = 30;

/**
 * Sends SET + GET for a rotating key, and PUBLISHes the iteration number to `channel`, every
 * `intervalMs` until `durationMs` have passed; failures are counted.
 */
export async function runTraffic(
  cluster: Pick<RedisClusterType, 'set' | 'get' | 'publish'>,
  channel: string,
  durationMs: number,
  intervalMs = 25,
): Promise<TrafficResult> {
  const result: TrafficResult = { ok: 0, failed: 0, published: 0 };
  const endAtMs = Date.now() + durationMs;
  for (let i = 0; Date.now() < endAtMs; i++) {
    const key = `example:${i % KEY_COUNT}`;
    try {
      await cluster.set(key, String(i));
      const value = await cluster.get(key);
      if (value !== String(i)) throw new Error(`GET ${key} returned ${value}, expected ${i}`);
      await cluster.publish(channel, String(i));
      result.published++;
      result.ok += 3;
    } catch (error) {
      result.failed++;
      console.log(`command failed: ${(error as Error).message}`);
    }
    await sleep(intervalMs);
  }
  return result;
}
