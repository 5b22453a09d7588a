const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

/**
 * A token from an identity provider with the times that matter for refreshing it.
 *
 * The native value is reachable only through `value`: `toString()`, `JSON.stringify` and
 * `util.inspect` show the expiry, never the value, so a token logged by mistake leaks nothing.
 */
export class Token<T> {
  readonly #value: T;
  /** When the token stops being valid, in milliseconds since the Unix epoch. */
  readonly expiresAtMs: number;
  /** When the token was received, in milliseconds since the Unix epoch. */
  readonly receivedAtMs: number;
  /**
   * When the identity provider said a request would return a new token (epoch ms), if it said
   * (`TokenResponse.refreshAfterMs`); before then it would hand out this token again.
   */
  readonly renewableAtMs: number | undefined;

  constructor(value: T, expiresAtMs: number, receivedAtMs: number, renewableAtMs?: number) {
    this.#value = value;
    this.expiresAtMs = expiresAtMs;
    this.receivedAtMs = receivedAtMs;
    this.renewableAtMs = renewableAtMs;
  }

  /** The identity provider's native token. */
  get value(): T {
    return this.#value;
  }

  /** Total lifetime in milliseconds (expiry minus receipt), never negative. */
  get lifetimeMs(): number {
    return Math.max(0, this.expiresAtMs - this.receivedAtMs);
  }

  /** Milliseconds left until expiry at `nowMs` (never negative). */
  ttlMs(nowMs: number): number {
    return Math.max(0, this.expiresAtMs - nowMs);
  }

  /** Same as {@link ttlMs}; the name node-redis' Token uses. */
  getTtlMs(nowMs: number): number {
    return this.ttlMs(nowMs);
  }

  /** True when the token is no longer valid at `nowMs`. */
  isExpired(nowMs: number): boolean {
    return nowMs >= this.expiresAtMs;
  }

  toString(): string {
    return `Token(expiresAt=${formatTime(this.expiresAtMs)}, value=[redacted])`;
  }

  toJSON(): { expiresAtMs: number; receivedAtMs: number; value: '[redacted]' } {
    return { expiresAtMs: this.expiresAtMs, receivedAtMs: this.receivedAtMs, value: '[redacted]' };
  }

  [inspectCustom](): string {
    return this.toString();
  }
}

/** ISO-8601 form of an epoch-milliseconds time, or the raw number when it is not a valid date. */
export function formatTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
