import type { ContenderId } from '../src/protocol';
import { coldStartRows } from '../src/report/cold-start-rows';
import type { ColdStartFigures, ColdStartMode } from '../src/scenarios/cold-start-scenario';

function figures(contender: ContenderId, mode: ColdStartMode, connectAllMs: number[]): ColdStartFigures {
  const ratios = contender === 'static' ? [1, 1, 1] : [0.9, 1.02, 1.3];
  return {
    contender,
    mode,
    connections: 1000,
    connectAllMs,
    medianMs: [...connectAllMs].sort((a, b) => a - b)[1]!,
    ratioVsStatic: ratios[1]!,
    ratioMin: ratios[0]!,
    ratioMax: ratios[2]!,
    idpRequests: contender === 'static' ? [0, 0, 0] : [1, 1, mode === 'cold' ? 2 : 1],
    idpRequestsBeforeConnect: [0, 0, 0],
    authenticatedOnce: [1000, 1000, 1000],
    authOk: [1000, 1000, 1000],
    notReady: 0,
    failed: 0,
  };
}

describe('coldStartRows', () => {
  const all = (['authx', 'redis-entraid', 'static'] as const).flatMap((contender) =>
    (['cold', 'warm'] as const).map((mode) => figures(contender, mode, [300, 310, 400])),
  );

  it('prints the median with its spread, and the ratio vs static with its spread for token contenders', () => {
    const [cold] = coldStartRows(all, 1000);
    expect(cold).toEqual([
      'cold start, 1,000 conns at once → all ready: cold (× static)',
      '310 [300 – 400 ms], 1.02× [0.90 – 1.30]',
      '310 [300 – 400 ms], 1.02× [0.90 – 1.30]',
      '310 [300 – 400 ms]',
    ]);
  });

  it('prints IdP requests as a range over rounds when they differ, n/a for the static token', () => {
    const idp = coldStartRows(all, 1000)[2];
    expect(idp?.slice(1)).toEqual(['1–2 / 1', '1–2 / 1', 'n/a']);
  });

  it('has no rows for results without cold-start figures', () => {
    expect(coldStartRows([], 1000)).toEqual([]);
  });
});
