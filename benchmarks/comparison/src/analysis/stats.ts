export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Number of distinct values. */
export function distinctCount<T>(values: Iterable<T>): number {
  return new Set(values).size;
}
