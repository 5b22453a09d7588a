export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Number of distinct values. */
export function distinctCount<T>(values: Iterable<T>): number {
  return new Set(values).size;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A median with its ~95 % confidence interval. */
export interface MedianWithCi {
  readonly median: number;
  readonly ciLow: number;
  readonly ciHigh: number;
}

/**
 * The median and its ~95 % confidence interval from order statistics: the sample values at
 * ranks n/2 ∓ 0.98·√n (normal approximation of the binomial distribution of ranks; no
 * assumption about the values' distribution).
 */
export function medianWithCi(values: readonly number[]): MedianWithCi {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, ciLow: Number.NaN, ciHigh: Number.NaN };
  const half = 0.98 * Math.sqrt(n);
  return {
    median: median(sorted),
    ciLow: sorted[Math.max(0, Math.floor(n / 2 - half))]!,
    ciHigh: sorted[Math.min(n - 1, Math.ceil(n / 2 + half) - 1)]!,
  };
}
