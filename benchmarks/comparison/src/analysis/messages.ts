/** Delivery figures of a numbered publisher and one subscriber. */
export interface DeliveryFigures {
  /** Numbers whose PUBLISH succeeded. */
  readonly published: number;
  /** Distinct numbers the subscriber received. */
  readonly delivered: number;
  /** Published numbers never received, ascending. */
  readonly lost: readonly number[];
  /** Deliveries beyond the first of a number. */
  readonly duplicates: number;
  /** Published numbers that PUBLISH reported reaching no subscriber. */
  readonly publishedToNobody: number;
}

export function deliveryFigures(
  published: ReadonlyArray<readonly [n: number, atMs: number, receivers: number]>,
  received: ReadonlyArray<readonly [n: number, atMs: number]>,
): DeliveryFigures {
  const seen = new Set<number>();
  let duplicates = 0;
  for (const [n] of received) {
    if (seen.has(n)) duplicates++;
    else seen.add(n);
  }
  const lost = published.filter(([n]) => !seen.has(n)).map(([n]) => n);
  return {
    published: published.length,
    delivered: seen.size,
    lost: lost.sort((a, b) => a - b),
    duplicates,
    publishedToNobody: published.filter(([, , receivers]) => receivers === 0).length,
  };
}

/** How many of `timesMs` fall in each `bucketMs` slice of [startMs, endMs). */
export function bucketCounts(
  timesMs: readonly number[],
  startMs: number,
  endMs: number,
  bucketMs: number,
): number[] {
  if (!(bucketMs > 0)) throw new RangeError('bucketMs must be > 0');
  const counts = new Array<number>(Math.max(0, Math.ceil((endMs - startMs) / bucketMs))).fill(0);
  for (const time of timesMs) {
    const index = Math.floor((time - startMs) / bucketMs);
    if (index >= 0 && index < counts.length) counts[index]!++;
  }
  return counts;
}
