import { setTimeout as sleep } from 'node:timers/promises';

/** Commands that succeeded and failed during a run. */
export interface TrafficResult {
  ok: number;
  failed: number;
}

/** The commands the traffic uses (any node-redis client has them). */
export interface KeyValueClient {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
}

/** Sends SET + GET every `intervalMs` until `durationMs` have passed; a failure is counted, not thrown. */
export async function runTraffic(
  client: KeyValueClient,
  durationMs: number,
  intervalMs = 50,
): Promise<TrafficResult> {
  const result: TrafficResult = { ok: 0, failed: 0 };
  const endAtMs = Date.now() + durationMs;
  for (let i = 0; Date.now() < endAtMs; i++) {
    try {
      await client.set(`example:${i % 100}`, String(i));
      const value = await client.get(`example:${i % 100}`);
      if (value !== String(i)) throw new Error(`GET returned ${value}, expected ${i}`);
      result.ok += 2;
    } catch (error) {
      result.failed++;
      console.log(`command failed: ${(error as Error).message}`);
    }
    await sleep(intervalMs);
  }
  return result;
}
