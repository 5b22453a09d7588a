/** The gateway's only source of time: epoch milliseconds and timers (inject a fake in tests). */
export interface GatewayClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall clock and Node timers. */
export const systemClock: GatewayClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
