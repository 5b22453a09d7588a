/** Small statistics for the benchmarks: medians with a distribution-free confidence interval. */

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The `q` quantile (0–1) by linear interpolation between the closest ranks. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  return low + ((sorted[above] as number) - low) * (position - below);
}

export interface MedianSummary {
  readonly median: number;
  /** ~95 % confidence interval of the median, from order statistics (no distribution assumed). */
  readonly ciLow: number;
  readonly ciHigh: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/**
 * The median with its ~95 % confidence interval: the sample values at ranks n/2 ∓ 0.98·√n
 * (the normal approximation of the binomial distribution of the ranks), so a result can be
 * told apart from noise: two medians whose intervals do not overlap differ.
 */
export function summarize(values: readonly number[]): MedianSummary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const half = 0.98 * Math.sqrt(n);
  const low = Math.max(0, Math.floor(n / 2 - half));
  const high = Math.min(n - 1, Math.ceil(n / 2 + half) - 1);
  return {
    median: median(sorted),
    ciLow: sorted[low] as number,
    ciHigh: sorted[high] as number,
    min: sorted[0] as number,
    max: sorted[n - 1] as number,
    n,
  };
}

/** `0.991 [0.985–0.997]`: a median and its confidence interval. */
export function formatMedian(summary: MedianSummary, digits: number): string {
  const f = (value: number) => value.toFixed(digits);
  return `${f(summary.median)} [${f(summary.ciLow)}–${f(summary.ciHigh)}]`;
}
