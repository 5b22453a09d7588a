import { setTimeout as sleep } from 'node:timers/promises';

/** Commands that succeeded and failed during a run, and messages published (with `channel`). */
export interface TrafficResult {
  ok: number;
  failed: number;
  published: number;
}

/** The commands the traffic uses (any node-redis client or cluster has them). */
export interface KeyValueClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
  publish?(channel: string, message: string): Promise<unknown>;
}

/** Options of {@link runTraffic}. */
export interface TrafficOptions {
  /** Pause between rounds, in milliseconds; default 50. */
  intervalMs?: number;
  /** Distinct keys the rounds rotate over; default 100 (a cluster needs enough to reach every master). */
  keyCount?: number;
  /** Also PUBLISH each round's number to this channel (the client must have `publish`); default none. */
  channel?: string;
}

/**
 * Sends SET + GET of a rotating key (and PUBLISH, with `channel`) every `intervalMs` until
 * `durationMs` have passed; a failure is counted and printed, not thrown.
 */
export async function runTraffic(
  client: KeyValueClient,
  durationMs: number,
  { intervalMs = 50, keyCount = 100, channel }: TrafficOptions = {},
): Promise<TrafficResult> {
  if (channel !== undefined && !client.publish)
    throw new Error('runTraffic: channel needs a client with publish');
  const result: TrafficResult = { ok: 0, failed: 0, published: 0 };
  const endAtMs = Date.now() + durationMs;
  for (let i = 0; Date.now() < endAtMs; i++) {
    const key = `example:${i % keyCount}`;
    try {
      await client.set(key, String(i));
      const value = await client.get(key);
      if (value !== String(i)) throw new Error(`GET ${key} returned ${value}, expected ${i}`);
      result.ok += 2;
      if (channel !== undefined) {
        await client.publish?.(channel, String(i));
        result.published++;
        result.ok++;
      }
    } catch (error) {
      result.failed++;
      console.log(`command failed: ${(error as Error).message}`);
    }
    await sleep(intervalMs);
  }
  return result;
}
