import { runPlan } from '../src/run-plan';

describe('runPlan', () => {
  it('covers at least 5 refreshes of 3 s tokens (every 2.1–2.8 s) in the default rotation run', () => {
    const plan = runPlan([]);
    expect(plan.quick).toBe(false);
    expect(plan.rotationRunMs).toBeGreaterThanOrEqual(5 * 0.7 * (plan.tokenLifetimeSec + 1) * 1000);
    expect(plan.fanoutSizes).toEqual([100, 1000, 5000]);
    expect(plan.reconnectKills).toBe(3);
  });

  it('shrinks durations with --quick', () => {
    const quick = runPlan(['--quick']);
    const full = runPlan([]);
    expect(quick.quick).toBe(true);
    expect(quick.rotationRunMs).toBeLessThan(full.rotationRunMs);
    expect(quick.throughputRounds).toBeLessThan(full.throughputRounds);
  });

  it('names the accepted arguments when given an unknown one', () => {
    expect(() => runPlan(['--fast'])).toThrow('unknown argument --fast; accepted: --quick');
  });
});
