/**
 * An opaque timer handle returned by {@link Clock.setTimeout}; only ever passed back to
 * {@link Clock.clearTimeout}.
 */
export type TimerHandle = unknown;

/**
 * The only source of time in token-core: everything that reads the time or waits takes a Clock,
 * so tests can drive it with fake timers.
 */
export interface Clock {
  /** Current time in milliseconds since the Unix epoch. */
  now(): number;
  /** Runs `fn` once after `ms` milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; clearing an already fired or cleared timer does nothing. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock: `Date.now()` and the global timers, looked up at call time (so jest's fake
 * timers apply). Timers are unref'd: an idle token manager never keeps a process alive.
 */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn: () => void, ms: number): TimerHandle => {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle: TimerHandle): void => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
});

/** setTimeout overflows above this delay (about 24.8 days) and would fire at once. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;
