import { bucketCounts, deliveryFigures } from '../src/analysis/messages';

describe('deliveryFigures', () => {
  it('counts a published number that never arrived as lost', () => {
    const figures = deliveryFigures(
      [
        [1, 0, 1],
        [2, 5, 0],
        [3, 10, 1],
      ],
      [
        [1, 1],
        [3, 11],
      ],
    );
    expect(figures).toEqual({ published: 3, delivered: 2, lost: [2], duplicates: 0, publishedToNobody: 1 });
  });

  it('counts a number delivered twice once, and the extra delivery as a duplicate', () => {
    const figures = deliveryFigures(
      [[7, 0, 2]],
      [
        [7, 1],
        [7, 2],
      ],
    );
    expect(figures).toMatchObject({ delivered: 1, lost: [], duplicates: 1 });
  });

  it('does not count deliveries of numbers whose PUBLISH failed as published', () => {
    expect(deliveryFigures([], [[4, 1]])).toMatchObject({ published: 0, delivered: 1, lost: [] });
  });
});

describe('bucketCounts', () => {
  it('puts each time into its slice of the window and ignores times outside it', () => {
    expect(bucketCounts([-1, 0, 249, 250, 999, 1000], 0, 1000, 250)).toEqual([2, 1, 0, 1]);
  });

  it('rounds a partial last slice up', () => {
    expect(bucketCounts([1040], 0, 1050, 250)).toEqual([0, 0, 0, 0, 1]);
  });

  it('rejects a slice width of 0', () => {
    expect(() => bucketCounts([], 0, 10, 0)).toThrow('bucketMs');
  });
});
