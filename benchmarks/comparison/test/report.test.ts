import { markdownTable } from '../src/report/markdown-table';
import { clusters, timelineSvg } from '../src/report/timeline-svg';
import type { Timeline } from '../src/scenarios/rotation-scenario';

describe('markdownTable', () => {
  it('pads every column to its widest cell, the first left-aligned and the others right-aligned', () => {
    expect(
      markdownTable(
        ['figure', 'a'],
        [
          ['x', '10'],
          ['longer', '2'],
        ],
      ),
    ).toBe(['| figure |  a |', '|:-------|---:|', '| x      | 10 |', '| longer |  2 |'].join('\n'));
  });
});

describe('clusters', () => {
  it('groups times at most gapMs apart, in time order', () => {
    expect(clusters([1000, 10, 0, 400], 300)).toEqual([
      { firstMs: 0, lastMs: 10, count: 2 },
      { firstMs: 400, lastMs: 400, count: 1 },
      { firstMs: 1000, lastMs: 1000, count: 1 },
    ]);
  });
});

describe('timelineSvg', () => {
  const timeline: Timeline = {
    durationMs: 2000,
    refreshesMs: [1000],
    reauthsMs: [1010, 1012],
    authFailuresMs: [],
    subscriberEvictionsMs: [1500],
    otherEvictionsMs: [],
    lostMs: [1490, 1495],
    bucketMs: 250,
    deliveredPerBucket: [50, 50, 50, 50, 50, 40, 50, 50],
  };

  it('draws one bar per bucket, a marker per lost message and a tick per event', () => {
    const svg = timelineSvg('title', 'subtitle', [{ title: 'p', summary: 's', timeline }]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/fill="#8c9db5"\/>/g)).toHaveLength(8 + 1); // bars + legend swatch
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('2 lost');
    expect(svg).toContain('×2'); // the two re-auths 2 ms apart
  });

  it('escapes text so a label cannot break the document', () => {
    const svg = timelineSvg('a < b & c', '', [{ title: '"x"', summary: '', timeline }]);
    expect(svg).toContain('a &#60; b &#38; c');
    expect(svg).not.toContain('a < b');
  });
});
