/**
 * Reads a retry hint from HTTP response headers (names case-insensitive): `retry-after-ms` or
 * `x-ms-retry-after-ms` (milliseconds), else `retry-after` as delay-seconds or an HTTP date.
 * Returns milliseconds (≥ 0), or undefined when no usable hint is present.
 */
export function parseRetryAfterMs(
  headers: Record<string, string | undefined> | undefined,
  nowMs: number,
): number | undefined {
  if (!headers) return undefined;
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = Number(lower.get(name));
    if (lower.get(name)?.trim() && Number.isFinite(ms) && ms >= 0) return ms;
  }
  const value = lower.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  if (!/[a-z]/i.test(value)) return undefined; // "-3" and such are neither seconds nor an HTTP date
  const dateMs = Date.parse(value);
  return Number.isNaN(dateMs) ? undefined : Math.max(0, dateMs - nowMs);
}
