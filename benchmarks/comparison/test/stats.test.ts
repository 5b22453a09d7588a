import { distinctCount, mean, median } from '../src/analysis/stats';
import { roundOrder } from '../src/scenarios/throughput-scenario';

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
