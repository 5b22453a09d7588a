import { CONTENDER_LABELS, CONTENDERS, type ContenderId, type Pipelining } from '../protocol';
import type { BenchResults } from '../run-benchmark';
import { PIPELINING_MODES } from '../scenarios/throughput-scenario';
import { fixed, integer, kib, ms } from './format';
import { coldStartRows } from './cold-start-rows';
import { markdownTable } from './markdown-table';

type Cells = (contender: ContenderId) => string;

/** The figures of a run, one row per figure and one column per contender. */
export function resultsTable(results: BenchResults): string {
  const rotation = (contender: ContenderId) => results.rotation.find((r) => r.contender === contender);
  const reconnect = (contender: ContenderId) => results.reconnect.find((r) => r.contender === contender);
  const fanout = (contender: ContenderId, connections: number) =>
    results.fanout.find((r) => r.contender === contender && r.connections === connections);
  const throughput = (contender: ContenderId, mode: Pipelining) =>
    results.throughput.find((r) => r.contender === contender && r.mode === mode);
  const tokenOnly =
    (cells: Cells): Cells =>
    (contender) =>
      contender === 'static' ? 'n/a' : cells(contender);
  const kills = results.plan.reconnectKills;
  const largest = Math.max(...results.plan.fanoutSizes);

  const rows: Array<[string, Cells]> = [
    ['token refreshes in the rotation run', (c) => integer(rotation(c)?.rotations)],
    [
      'RESP2 pub/sub: messages lost (per rotation)',
      (c) => {
        const r = rotation(c);
        if (!r) return '–';
        return r.rotations === 0
          ? integer(r.messagesLost)
          : `${integer(r.messagesLost)} (${fixed(r.messagesLost / r.rotations, 1)})`;
      },
    ],
    [
      'RESP2 pub/sub: messages delivered / published',
      (c) => `${integer(rotation(c)?.delivered)} / ${integer(rotation(c)?.published)}`,
    ],
    ['RESP2 pub/sub: subscriber evictions', (c) => integer(rotation(c)?.subscriberEvictions)],
    [
      'steady load: commands failed / sent',
      (c) => {
        const r = rotation(c);
        return r
          ? `${integer(r.loadCommandsFailed)} / ${integer(r.loadCommandsOk + r.loadCommandsFailed)}`
          : '–';
      },
    ],
    ['steady load: evictions (publisher + load conns)', (c) => integer(rotation(c)?.otherEvictions)],
    [
      `AUTHs per connection per refresh: 0 → ${kills} reconnects`,
      tokenOnly((c) => {
        const r = reconnect(c);
        return r
          ? `${fixed(r.authsPerRefreshBeforeKills, 0)} → ${fixed(r.authsPerRefreshAfterKills, 1)}`
          : '–';
      }),
    ],
    ...results.plan.fanoutSizes.map((n): [string, Cells] => [
      `re-auth ${integer(n)} conns: refresh → last AUTH (first)`,
      tokenOnly((c) => {
        const r = fanout(c, n);
        if (!r) return '–';
        const incomplete = r.reauthenticated !== undefined && r.reauthenticated < n;
        const evicted = r.evictions > 0 ? `, ${integer(r.evictions)} evicted` : '';
        return `${ms(r.reauthAllMs)} (${ms(r.reauthFirstMs)})${incomplete ? `, ${r.reauthenticated} only` : ''}${evicted}`;
      }),
    ]),
    ...results.plan.fanoutSizes.map((n): [string, Cells] => [
      `floor, ${integer(n)} conns: ${integer(n)} PINGs at once → last reply`,
      (c) => ms(fanout(c, n)?.pingFloorMs),
    ]),
    ...PIPELINING_MODES.map((mode): [string, Cells] => [
      `throughput vs static, ${mode} SET/GET (median [95 % CI])`,
      (c) => {
        const r = throughput(c, mode);
        if (!r) return '–';
        const ratio = r.ratioVsStatic;
        if (c === 'static') return `1 (${integer(r.opsPerSec)}/s)`;
        const ci = `[${fixed(ratio.ciLow, 3)}–${fixed(ratio.ciHigh, 3)}]`;
        return `${fixed(ratio.median, 3)} ${ci} (${integer(r.opsPerSec)}/s, CPU ×${fixed(r.cpuVsStatic.median, 3)})`;
      },
    ]),
    [
      'IdP requests per refresh',
      tokenOnly((c) => {
        const r = rotation(c);
        return r && r.newTokensSeen > 0 ? fixed(r.idpRequests / r.newTokensSeen, 2) : '–';
      }),
    ],
    [
      `heap per connection (${integer(largest)} vs 0, after gc)`,
      (c) => kib(fanout(c, largest)?.heapPerConnectionBytes),
    ],
  ];
  return markdownTable(
    ['figure', ...CONTENDERS.map((contender) => CONTENDER_LABELS[contender])],
    [
      ...rows.map(([title, cells]) => [title, ...CONTENDERS.map(cells)]),
      ...coldStartRows(results.coldStart ?? [], results.plan.coldStartConnections),
    ],
  );
}
