import { type Clock, MAX_TIMER_DELAY_MS, type TimerHandle } from './clock';

/**
 * A one-shot timer that fires at an absolute time on an injected clock, re-arming itself when the
 * wait exceeds what setTimeout can hold (about 24.8 days), and that can be re-armed or cancelled.
 */
export class DeadlineTimer {
  readonly #clock: Clock;
  #handle: TimerHandle | undefined;
  #armed = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Whether the timer is waiting to fire. */
  get armed(): boolean {
    return this.#armed;
  }

  /** Runs `fn` at `atMs` (epoch ms; at once if that has passed), replacing any earlier schedule. */
  at(atMs: number, fn: () => void): void {
    this.cancel();
    this.#armed = true;
    const delayMs = Math.max(0, atMs - this.#clock.now());
    const step = Math.min(delayMs, MAX_TIMER_DELAY_MS);
    this.#handle = this.#clock.setTimeout(() => {
      this.#handle = undefined;
      this.#armed = false;
      if (step < delayMs) this.at(atMs, fn);
      else fn();
    }, step);
  }

  cancel(): void {
    if (this.#handle !== undefined) this.#clock.clearTimeout(this.#handle);
    this.#handle = undefined;
    this.#armed = false;
  }
}
