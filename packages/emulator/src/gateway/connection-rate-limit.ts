/**
 * A limit on how many new connections a gateway accepts per second: at most `perSecond` in any
 * window of 1000 ms (a sliding window over the accept times, so a burst never gets more than
 * `perSecond` in, however it straddles a second boundary). Memorystore with IAM authentication
 * limits its connection rate this way in spirit — Google documents that IAM authentication limits
 * the number of new client connections per second, without publishing the number or the reply.
 */
export class ConnectionRateLimit {
  readonly perSecond: number;
  // Accept times (ms) of the last `perSecond` admitted connections, oldest first, as a ring.
  readonly #times: number[];
  #next = 0;
  #count = 0;

  constructor(perSecond: number) {
    this.perSecond = perSecond;
    this.#times = new Array<number>(perSecond).fill(0);
  }

  /** True (and counted) when a connection arriving at `nowMs` is within the limit. */
  admit(nowMs: number): boolean {
    if (this.#count === this.perSecond) {
      // The oldest of the last `perSecond` admissions must have left the window.
      if (nowMs - this.#times[this.#next] < 1000) return false;
    } else {
      this.#count++;
    }
    this.#times[this.#next] = nowMs;
    this.#next = (this.#next + 1) % this.perSecond;
    return true;
  }
}

/** What a refused connection reads before the gateway closes it (as redis-server does at `maxclients`). */
export const CONNECTION_RATE_LIMITED_REPLY =
  '-ERR max new connections per second reached, try again later\r\n';
