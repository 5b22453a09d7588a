/** Epoch time the fake clock starts at in every test (2026-01-01T00:00:00Z). */
export const START_MS = Date.UTC(2026, 0, 1);

/** Jest's modern fake timers: Date.now and the global timers, which systemClock reads at call time. */
export function useFakeTime(): void {
  jest.useFakeTimers({ now: START_MS });
}

/** Advances fake time by `ms`, running due timers and the promise callbacks they unlock. */
export async function advance(ms: number): Promise<void> {
  await jest.advanceTimersByTimeAsync(ms);
}

/** Lets pending promise callbacks run without moving time. */
export async function flush(): Promise<void> {
  await jest.advanceTimersByTimeAsync(0);
}

/** Elapsed fake time since START_MS. */
export function elapsed(): number {
  return Date.now() - START_MS;
}
