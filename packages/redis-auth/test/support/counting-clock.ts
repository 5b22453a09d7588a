import { type Clock, systemClock, type TimerHandle } from '@authx/token-core';

/**
 * The system clock, counting the timers set through it that have neither fired nor been cleared:
 * what a binding given this clock keeps pending.
 */
export class CountingClock implements Clock {
  readonly #pending = new Set<TimerHandle>();
  timersSet = 0;

  get pending(): number {
    return this.#pending.size;
  }

  now(): number {
    return systemClock.now();
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    this.timersSet++;
    const handle = systemClock.setTimeout(() => {
      this.#pending.delete(handle);
      fn();
    }, ms);
    this.#pending.add(handle);
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#pending.delete(handle);
    systemClock.clearTimeout(handle);
  }
}
