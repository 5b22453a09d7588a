import type { ContenderId } from '../src/protocol';
import { resultsTable } from '../src/report/results-table';
import type { BenchResults } from '../src/run-benchmark';
import { runPlan } from '../src/run-plan';
import type { MedianWithCi } from '../src/analysis/stats';
import type { FanoutFigures } from '../src/scenarios/fanout-scenario';
import type { RotationFigures } from '../src/scenarios/rotation-scenario';
import type { ThroughputFigures } from '../src/scenarios/throughput-scenario';

function rotation(contender: ContenderId, overrides: Partial<RotationFigures>): RotationFigures {
  return {
    contender,
    rotations: 6,
    published: 3000,
    delivered: 3000,
    messagesLost: 0,
    duplicates: 0,
    publishedToNobody: 0,
    publishFailed: 0,
    subscriberEvictions: 0,
    loadCommandsOk: 12_000,
    loadCommandsFailed: 0,
    otherEvictions: 0,
    reauths: 42,
    authFailures: 0,
    clientErrors: 0,
    errorSamples: [],
    idpRequests: 6,
    newTokensSeen: 6,
    timeline: {
      durationMs: 1000,
      refreshesMs: [],
      reauthsMs: [],
      authFailuresMs: [],
      subscriberEvictionsMs: [],
      otherEvictionsMs: [],
      lostMs: [],
      bucketMs: 250,
      deliveredPerBucket: [],
    },
    ...overrides,
  };
}

function fanout(
  contender: ContenderId,
  connections: number,
  overrides: Partial<FanoutFigures>,
): FanoutFigures {
  return {
    contender,
    connections,
    connectMs: 100,
    heapPerConnectionBytes: 10_240,
    reauthAllMs: contender === 'static' ? undefined : 50,
    reauthFirstMs: contender === 'static' ? undefined : 10,
    reauthenticated: contender === 'static' ? undefined : connections,
    evictions: 0,
    pingsFailed: 0,
    pingFloorMs: 20,
    ...overrides,
  };
}

function throughput(
  contender: ContenderId,
  mode: 'pipelined' | 'unpipelined',
  ratioVsStatic: MedianWithCi,
): ThroughputFigures {
  return {
    contender,
    mode,
    opsPerSec: mode === 'pipelined' ? 50_000 : 20_000,
    ratioVsStatic,
    cpuVsStatic: { median: 1.01, ciLow: 1, ciHigh: 1.02 },
    rounds: 300,
    failed: 0,
  };
}

const results: BenchResults = {
  startedAt: '2026-01-01T00:00:00.000Z',
  durationSec: 100,
  plan: { ...runPlan([]), fanoutSizes: [100, 1000] },
  environment: { node: 'v20', platform: 'linux-x64', cpus: 2 },
  rotation: [
    rotation('authx', {}),
    rotation('redis-entraid', { messagesLost: 6, delivered: 2994, subscriberEvictions: 6 }),
    rotation('static', { rotations: 0, idpRequests: 0, newTokensSeen: 0 }),
  ],
  reconnect: [
    {
      contender: 'authx',
      authsPerRefreshBeforeKills: 1,
      authsPerRefreshAfterKills: 1,
      kills: 3,
      refreshesObserved: 2,
    },
    {
      contender: 'redis-entraid',
      authsPerRefreshBeforeKills: 1,
      authsPerRefreshAfterKills: 4,
      kills: 3,
      refreshesObserved: 2,
    },
  ],
  fanout: [
    fanout('authx', 100, {}),
    fanout('redis-entraid', 100, {}),
    fanout('static', 100, {}),
    fanout('authx', 1000, { heapPerConnectionBytes: 11_264 }),
    fanout('redis-entraid', 1000, { reauthenticated: 990, reauthAllMs: 10_000, evictions: 10 }),
    fanout('static', 1000, { pingFloorMs: 80 }),
  ],
  throughput: (['pipelined', 'unpipelined'] as const).flatMap((mode) => [
    throughput('authx', mode, { median: 0.981, ciLow: 0.975, ciHigh: 0.99 }),
    throughput('redis-entraid', mode, { median: 0.96, ciLow: 0.95, ciHigh: 0.97 }),
    throughput('static', mode, { median: 1, ciLow: 1, ciHigh: 1 }),
  ]),
};

const row = (table: string, title: string) => {
  const line = table.split('\n').find((l) => l.startsWith(`| ${title}`));
  if (!line) throw new Error(`no row ${title}`);
  return line
    .split('|')
    .slice(2, -1)
    .map((cell) => cell.trim());
};

describe('resultsTable', () => {
  const table = resultsTable(results);

  it('has a column per contender', () => {
    expect(row(table, 'figure')).toEqual(['authx', '@redis/entraid', 'static token']);
  });

  it('shows lost messages with the loss per rotation, and no ratio without rotations', () => {
    expect(row(table, 'RESP2 pub/sub: messages lost')).toEqual(['0 (0.0)', '6 (1.0)', '0']);
  });

  it('shows AUTHs per refresh before and after the kills, n/a for the static token', () => {
    expect(row(table, 'AUTHs per connection per refresh')).toEqual(['1 → 1.0', '1 → 4.0', 'n/a']);
  });

  it('flags a fan-out whose connections were not all re-authenticated, and its evictions', () => {
    expect(row(table, 're-auth 1,000 conns')).toEqual([
      '50 ms (10 ms)',
      '10000 ms (10 ms), 990 only, 10 evicted',
      'n/a',
    ]);
  });

  it('shows the PING floor of each fan-out size for every contender, the static token included', () => {
    expect(row(table, 'floor, 1,000 conns')).toEqual(['20 ms', '20 ms', '80 ms']);
  });

  it('takes heap per connection from the largest fan-out', () => {
    expect(row(table, 'heap per connection (1,000 vs 0')).toEqual(['11.0 KiB', '10.0 KiB', '10.0 KiB']);
  });

  it('divides IdP requests by the new tokens the gateway saw', () => {
    expect(row(table, 'IdP requests per refresh')).toEqual(['1.00', '1.00', 'n/a']);
  });

  it('shows throughput per mode as a median ratio with its confidence interval, the rate and the CPU ratio', () => {
    expect(row(table, 'throughput vs static, pipelined')).toEqual([
      '0.981 [0.975–0.990] (50,000/s, CPU ×1.010)',
      '0.960 [0.950–0.970] (50,000/s, CPU ×1.010)',
      '1 (50,000/s)',
    ]);
    expect(row(table, 'throughput vs static, unpipelined')[0]).toBe(
      '0.981 [0.975–0.990] (20,000/s, CPU ×1.010)',
    );
  });
});
