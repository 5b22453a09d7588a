import { distinctCount, mean, median, medianWithCi } from '../src/analysis/stats';
import { roundOrder, throughputFigures } from '../src/scenarios/throughput-scenario';

describe('stats', () => {
  it('mean of nothing is NaN, so an empty measurement cannot pass for 0', () => {
    expect(mean([])).toBeNaN();
    expect(mean([1, 2, 6])).toBe(3);
  });

  it('median takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('distinctCount counts each value once', () => {
    expect(distinctCount([3, 3, 4])).toBe(2);
  });
});

describe('roundOrder', () => {
  it('gives every contender each position across rounds, alternating direction', () => {
    const rounds = [0, 1, 2, 3, 4, 5].map((round) => roundOrder(['a', 'b', 'c'], round));
    expect(rounds).toEqual([
      ['a', 'b', 'c'],
      ['a', 'c', 'b'],
      ['c', 'a', 'b'],
      ['c', 'b', 'a'],
      ['b', 'c', 'a'],
      ['b', 'a', 'c'],
    ]);
    for (const position of [0, 1, 2]) {
      expect(new Set(rounds.map((order) => order[position]))).toEqual(new Set(['a', 'b', 'c']));
    }
  });
});

describe('medianWithCi', () => {
  it('brackets the median of 100 values by the values at ranks 40 and 59', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(medianWithCi(values)).toEqual({ median: 50.5, ciLow: 41, ciHigh: 60 });
  });

  it('is NaN for no values, and the value itself for one', () => {
    expect(medianWithCi([]).median).toBeNaN();
    expect(medianWithCi([7])).toEqual({ median: 7, ciLow: 7, ciHigh: 7 });
  });
});

describe('throughputFigures', () => {
  const slice = (durationMs: number, cpuMs: number) => ({ ops: 1000, durationMs, cpuMs, failed: 0 });
  it('pairs each slice with the static token slice of the same round', () => {
    const figures = throughputFigures(
      'pipelined',
      new Map([
        ['authx', [slice(20, 10), slice(40, 22)]],
        ['redis-entraid', [slice(10, 5), slice(10, 5)]],
        ['static', [slice(20, 10), slice(40, 20)]],
      ] as const),
    );
    const authx = figures.find((f) => f.contender === 'authx');
    expect(authx?.ratioVsStatic.median).toBe(1);
    expect(authx?.cpuVsStatic.median).toBeCloseTo(1.05);
    expect(authx?.opsPerSec).toBe((50_000 + 25_000) / 2);
    expect(figures.find((f) => f.contender === 'redis-entraid')?.ratioVsStatic.median).toBe(3);
  });
});
