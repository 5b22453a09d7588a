import type { Timeline } from '../scenarios/rotation-scenario';

/** One panel of the chart: a contender's rotation run. */
export interface TimelinePanel {
  readonly title: string;
  /** Short figures shown after the title, e.g. "0 lost, 0 evictions". */
  readonly summary: string;
  readonly timeline: Timeline;
}

const WIDTH = 1100;
const LEFT = 215;
const MARGIN = 20;
const RIGHT = 24;
const TICK_ROW = 20;
const BARS_HEIGHT = 90;
const PANEL_GAP = 34;
const COLORS = {
  refresh: '#1f77b4',
  reauth: '#2ca02c',
  subscriberEviction: '#d62728',
  otherEviction: '#ff7f0e',
  authFailure: '#9467bd',
  messages: '#8c9db5',
  lost: '#d62728',
  grid: '#e6e6e6',
  text: '#222222',
  muted: '#666666',
};

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * The rotation runs as a timeline: token refreshes, re-authentications, evictions and messages
 * delivered per bucket, one panel per contender on a shared time axis. Returns an SVG document.
 */
export function timelineSvg(title: string, subtitle: string, panels: readonly TimelinePanel[]): string {
  const durationMs = Math.max(1, ...panels.map((panel) => panel.timeline.durationMs));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const x = (ms: number) => round(LEFT + (Math.min(Math.max(ms, 0), durationMs) / durationMs) * plotWidth);
  const maxBucket = Math.max(1, ...panels.flatMap((panel) => panel.timeline.deliveredPerBucket));
  const panelHeight = 28 + 4 * TICK_ROW + 8 + BARS_HEIGHT + 30;
  const top = 86;
  const height = top + panels.length * (panelHeight + PANEL_GAP) + 8;
  const out: string[] = [];
  const text = (tx: number, ty: number, content: string, attrs = '') =>
    out.push(`<text x="${round(tx)}" y="${round(ty)}" ${attrs}>${escapeXml(content)}</text>`);

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12" fill="${COLORS.text}" role="img">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  );
  text(MARGIN, 26, title, 'font-size="17" font-weight="bold"');
  text(MARGIN, 46, subtitle, `fill="${COLORS.muted}"`);
  legend(out, MARGIN, 70);

  panels.forEach((panel, index) => {
    const y0 = top + index * (panelHeight + PANEL_GAP);
    const t = panel.timeline;
    text(MARGIN, y0 + 14, panel.title, 'font-size="15" font-weight="bold"');
    text(LEFT, y0 + 14, panel.summary, `fill="${COLORS.muted}"`);
    const rowsTop = y0 + 24;
    const barsTop = rowsTop + 4 * TICK_ROW + 8;
    const barsBottom = barsTop + BARS_HEIGHT;
    // Grid: a line per second, and the refreshes across the whole panel.
    for (let s = 0; s * 1000 <= durationMs; s++) {
      out.push(
        `<line x1="${x(s * 1000)}" y1="${rowsTop}" x2="${x(s * 1000)}" y2="${barsBottom}" stroke="${COLORS.grid}"/>`,
      );
      text(
        x(s * 1000),
        barsBottom + 16,
        `${s} s`,
        `text-anchor="middle" fill="${COLORS.muted}" font-size="11"`,
      );
    }
    for (const ms of t.refreshesMs) {
      out.push(
        `<line x1="${x(ms)}" y1="${rowsTop}" x2="${x(ms)}" y2="${barsBottom}" stroke="${COLORS.refresh}" stroke-opacity="0.35" stroke-dasharray="4 3"/>`,
      );
    }
    const rows: Array<[string, Array<[readonly number[], string, number]>]> = [
      ['token refresh (IdP request)', [[t.refreshesMs, COLORS.refresh, 4]]],
      ['re-auth (AUTH ok, gateway)', [[t.reauthsMs, COLORS.reauth, 2]]],
      [
        'eviction (token expired)',
        [
          [t.otherEvictionsMs, COLORS.otherEviction, 4],
          [t.subscriberEvictionsMs, COLORS.subscriberEviction, 4],
        ],
      ],
      ['AUTH refused', [[t.authFailuresMs, COLORS.authFailure, 3]]],
    ];
    rows.forEach(([label, series], row) => {
      const ry = rowsTop + row * TICK_ROW;
      text(LEFT - 10, ry + 14, label, 'text-anchor="end"');
      out.push(
        `<line x1="${LEFT}" y1="${ry + TICK_ROW - 1}" x2="${WIDTH - RIGHT}" y2="${ry + TICK_ROW - 1}" stroke="${COLORS.grid}"/>`,
      );
      for (const [times, color, width] of series) {
        for (const ms of times) {
          out.push(
            `<rect x="${round(x(ms) - width / 2)}" y="${ry + 3}" width="${width}" height="${TICK_ROW - 6}" fill="${color}"/>`,
          );
        }
        // Events a few ms apart draw as one tick: say how many.
        for (const cluster of clusters(times, CLUSTER_MS)) {
          if (cluster.count > 1) {
            const atRightEdge = x(cluster.lastMs) > WIDTH - RIGHT - 30;
            text(
              atRightEdge ? x(cluster.firstMs) - width / 2 - 3 : x(cluster.lastMs) + width / 2 + 3,
              ry + 14,
              `×${cluster.count}`,
              `fill="${color}" font-size="11"${atRightEdge ? ' text-anchor="end"' : ''}`,
            );
          }
        }
      }
    });
    text(LEFT - 10, barsTop + 14, `messages / ${t.bucketMs} ms`, 'text-anchor="end"');
    text(
      LEFT - 10,
      barsTop + 30,
      `(max ${maxBucket})`,
      `text-anchor="end" fill="${COLORS.muted}" font-size="11"`,
    );
    text(LEFT - 10, barsBottom - 2, 'lost ▲', `text-anchor="end" fill="${COLORS.lost}" font-size="11"`);
    const bucketWidth = (t.bucketMs / durationMs) * plotWidth;
    t.deliveredPerBucket.forEach((count, bucket) => {
      const h = (count / maxBucket) * (BARS_HEIGHT - 14);
      out.push(
        `<rect x="${round(x(bucket * t.bucketMs) + 0.5)}" y="${round(barsBottom - 10 - h)}" width="${round(Math.max(1, bucketWidth - 1))}" height="${round(h)}" fill="${COLORS.messages}"/>`,
      );
    });
    out.push(
      `<line x1="${LEFT}" y1="${barsBottom - 10}" x2="${WIDTH - RIGHT}" y2="${barsBottom - 10}" stroke="${COLORS.muted}"/>`,
    );
    for (const ms of t.lostMs) {
      const lx = x(ms);
      out.push(`<path d="M${lx} ${barsBottom - 9} l-4 8 h8 z" fill="${COLORS.lost}" fill-opacity="0.8"/>`);
    }
    for (const cluster of clusters(t.lostMs, CLUSTER_MS)) {
      const atRightEdge = x(cluster.lastMs) > WIDTH - RIGHT - 40;
      text(
        atRightEdge ? x(cluster.firstMs) - 6 : x(cluster.lastMs) + 6,
        barsBottom - 1,
        `${cluster.count} lost`,
        `fill="${COLORS.lost}" font-size="11"${atRightEdge ? ' text-anchor="end"' : ''}`,
      );
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Events closer than this (ms) are labelled as one group. */
const CLUSTER_MS = 300;

/** Groups sorted-or-not times into runs whose neighbours are at most `gapMs` apart. */
export function clusters(
  timesMs: readonly number[],
  gapMs: number,
): Array<{ firstMs: number; lastMs: number; count: number }> {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const groups: Array<{ firstMs: number; lastMs: number; count: number }> = [];
  for (const time of sorted) {
    const last = groups[groups.length - 1];
    if (last && time - last.lastMs <= gapMs) {
      last.lastMs = time;
      last.count++;
    } else groups.push({ firstMs: time, lastMs: time, count: 1 });
  }
  return groups;
}

function legend(out: string[], x0: number, y: number): void {
  const items: Array<[string, string]> = [
    ['token refresh', COLORS.refresh],
    ['re-auth', COLORS.reauth],
    ['subscriber evicted', COLORS.subscriberEviction],
    ['other connection evicted', COLORS.otherEviction],
    ['AUTH refused', COLORS.authFailure],
    ['messages delivered', COLORS.messages],
    ['message lost', COLORS.lost],
  ];
  let x = x0;
  for (const [label, color] of items) {
    out.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${color}"/>`);
    out.push(`<text x="${x + 16}" y="${y}">${escapeXml(label)}</text>`);
    x += 30 + label.length * 7;
  }
}
