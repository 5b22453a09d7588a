import { CONTENDERS, type ContenderId } from '../protocol';
import type { ColdStartFigures, ColdStartMode } from '../scenarios/cold-start-scenario';
import { fixed, integer, ms } from './format';

/** `a` when every value is `a`, else `min–max`. */
function range(values: readonly number[]): string {
  if (values.length === 0) return '–';
  const [min, max] = [Math.min(...values), Math.max(...values)];
  return min === max ? integer(min) : `${integer(min)}–${integer(max)}`;
}

/** Table rows (title, then one cell per contender) for the cold-start figures of a run. */
export function coldStartRows(figures: readonly ColdStartFigures[], connections: number): string[][] {
  if (figures.length === 0) return [];
  const find = (contender: ContenderId, mode: ColdStartMode) =>
    figures.find((f) => f.contender === contender && f.mode === mode);
  const timing = (mode: ColdStartMode) => (contender: ContenderId) => {
    const f = find(contender, mode);
    if (!f) return '–';
    const spread = `${integer(f.medianMs)} [${integer(Math.min(...f.connectAllMs))} – ${ms(Math.max(...f.connectAllMs))}]`;
    return contender === 'static'
      ? spread
      : `${spread}, ${fixed(f.ratioVsStatic, 2)}× [${fixed(f.ratioMin, 2)} – ${fixed(f.ratioMax, 2)}]`;
  };
  const bothModes = (cell: (f: ColdStartFigures) => string) => (contender: ContenderId) => {
    const [cold, warm] = [find(contender, 'cold'), find(contender, 'warm')];
    return cold && warm ? `${cell(cold)} / ${cell(warm)}` : '–';
  };
  const rows: Array<[string, (contender: ContenderId) => string]> = [
    [`cold start, ${integer(connections)} conns at once → all ready: cold (× static)`, timing('cold')],
    [`cold start, ${integer(connections)} conns at once → all ready: warm (× static)`, timing('warm')],
    [
      'cold start: IdP requests, provider created → all ready, cold / warm',
      (c) => (c === 'static' ? 'n/a' : bothModes((f) => range(f.idpRequests))(c)),
    ],
    [
      'cold start: conns authenticated exactly once, cold / warm',
      bothModes((f) => range(f.authenticatedOnce)),
    ],
  ];
  return rows.map(([title, cell]) => [title, ...CONTENDERS.map(cell)]);
}
