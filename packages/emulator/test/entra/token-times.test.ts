import fc from 'fast-check';
import { tokenTimes } from '../../src/entra/token-issuer';

describe('tokenTimes', () => {
  const nowMs = fc.integer({ min: 1_500_000_000_000, max: 2_500_000_000_000 });

  it('makes a token live at least its lifetime and less than one second more', () => {
    fc.assert(
      fc.property(nowMs, fc.double({ min: 0.001, max: 100_000, noNaN: true }), (now, lifetimeSec) => {
        const { iat, exp } = tokenTimes(now, lifetimeSec);
        expect(exp * 1000).toBeGreaterThanOrEqual(now + lifetimeSec * 1000);
        expect(exp * 1000).toBeLessThan(now + lifetimeSec * 1000 + 1000);
        expect(iat * 1000).toBeLessThanOrEqual(now);
        expect(Number.isInteger(iat) && Number.isInteger(exp)).toBe(true);
      }),
    );
  });

  it('reports expires_in equal to a whole-second lifetime', () => {
    fc.assert(
      fc.property(nowMs, fc.integer({ min: 1, max: 100_000 }), (now, lifetimeSec) => {
        expect(tokenTimes(now, lifetimeSec).expiresInSec).toBe(lifetimeSec);
      }),
    );
  });
});
