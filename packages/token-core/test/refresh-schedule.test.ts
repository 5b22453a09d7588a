import fc from 'fast-check';
import {
  computeRefreshAtMs,
  computeRepeatRequestAtMs,
  DEFAULT_TOKEN_MANAGER_CONFIG,
  resolveTokenManagerConfig,
} from '../src';

const MINUTE = 60_000;
const noJitter = () => 0;
const maxJitter = () => 1 - Number.EPSILON;
const defaults = resolveTokenManagerConfig();

function token(lifetimeMs: number, receivedAtMs = 1_000_000) {
  return { receivedAtMs, expiresAtMs: receivedAtMs + lifetimeMs };
}

describe('computeRefreshAtMs', () => {
  describe('refresh point', () => {
    it('refreshes after expirationRefreshRatio of the lifetime when that is the earlier point', () => {
      const t = token(60 * MINUTE);
      expect(computeRefreshAtMs(t, defaults, noJitter) - t.receivedAtMs).toBe(42 * MINUTE);
    });

    it('refreshes lowerRefreshBoundMs before expiry when that is the earlier point', () => {
      const t = token(10 * MINUTE);
      expect(t.expiresAtMs - computeRefreshAtMs(t, defaults, noJitter)).toBe(5 * MINUTE);
    });

    it('uses the configured ratio and bound', () => {
      const config = resolveTokenManagerConfig({ expirationRefreshRatio: 0.8, lowerRefreshBoundMs: 0 });
      const t = token(100_000);
      expect(computeRefreshAtMs(t, config, noJitter) - t.receivedAtMs).toBe(80_000);
    });

    it('never lets the lower bound pull the refresh earlier than half the lifetime', () => {
      const t = token(6 * MINUTE);
      expect(computeRefreshAtMs(t, defaults, noJitter) - t.receivedAtMs).toBe(3 * MINUTE);
      const short = token(2_000);
      expect(computeRefreshAtMs(short, defaults, noJitter) - short.receivedAtMs).toBe(1_000);
    });
  });

  describe('jitter', () => {
    it('moves the refresh earlier by at most refreshJitterMs, never later', () => {
      const t = token(60 * MINUTE);
      const latest = computeRefreshAtMs(t, defaults, noJitter);
      const earliest = computeRefreshAtMs(t, defaults, maxJitter);
      expect(latest - earliest).toBeGreaterThan(MINUTE - 2);
      expect(latest - earliest).toBeLessThanOrEqual(MINUTE);
    });

    it('takes at most 10 % of the lifetime for short tokens', () => {
      const t = token(2_000);
      expect(computeRefreshAtMs(t, defaults, noJitter) - t.receivedAtMs).toBe(1_000);
      expect(computeRefreshAtMs(t, defaults, maxJitter) - t.receivedAtMs).toBe(800);
    });

    it('is off when refreshJitterMs is 0', () => {
      const config = resolveTokenManagerConfig({ refreshJitterMs: 0 });
      const t = token(60 * MINUTE);
      expect(computeRefreshAtMs(t, config, maxJitter)).toBe(computeRefreshAtMs(t, config, noJitter));
    });
  });

  describe('guards', () => {
    it('asks for the new token at least 3 minutes before expiry for any token of 10 minutes or more (defaults)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 10 * MINUTE, max: 48 * 60 * MINUTE }),
          fc.double({ min: 0, max: 0.999999, noNaN: true }),
          (lifetimeMs, r) => {
            const t = token(lifetimeMs);
            const refreshAtMs = computeRefreshAtMs(t, defaults, () => r);
            return t.expiresAtMs - refreshAtMs >= 3 * MINUTE && refreshAtMs > t.receivedAtMs;
          },
        ),
      );
    });

    it('refreshes strictly inside the lifetime, at least minRefreshIntervalMs after receipt, for any valid config', () => {
      fc.assert(
        fc.property(
          fc.record({
            expirationRefreshRatio: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
            lowerRefreshBoundMs: fc.integer({ min: 0, max: 10 * MINUTE }),
            refreshJitterMs: fc.integer({ min: 0, max: 10 * MINUTE }),
            minRefreshIntervalMs: fc.integer({ min: 0, max: 5_000 }),
          }),
          fc.integer({ min: 1, max: 24 * 60 * MINUTE }),
          fc.double({ min: 0, max: 0.999999, noNaN: true }),
          (options, lifetimeMs, r) => {
            const config = resolveTokenManagerConfig(options);
            fc.pre(lifetimeMs >= 2 * config.minRefreshIntervalMs + 2);
            const t = token(lifetimeMs);
            const refreshAtMs = computeRefreshAtMs(t, config, () => r);
            return refreshAtMs >= t.receivedAtMs + config.minRefreshIntervalMs && refreshAtMs < t.expiresAtMs;
          },
        ),
      );
    });

    it('keeps minRefreshIntervalMs of spacing even for a token that lives less than that', () => {
      const t = token(100);
      expect(computeRefreshAtMs(t, defaults, noJitter) - t.receivedAtMs).toBe(
        DEFAULT_TOKEN_MANAGER_CONFIG.minRefreshIntervalMs,
      );
    });
  });
});

describe('computeRefreshAtMs with a renewal hint', () => {
  const timing = { ...DEFAULT_TOKEN_MANAGER_CONFIG, refreshJitterMs: 0 };
  const token = (renewableAtMs?: number) => ({ receivedAtMs: 0, expiresAtMs: 3_600_000, renewableAtMs });

  it('never refreshes before the hint: earlier requests would return the same token', () => {
    expect(computeRefreshAtMs(token(3_000_000), timing)).toBe(3_000_000);
  });

  it('keeps its own, later time when the hint is earlier', () => {
    expect(computeRefreshAtMs(token(600_000), timing)).toBe(computeRefreshAtMs(token(), timing));
  });

  it.each([
    ['after expiry', 3_600_000],
    ['before receipt', -1],
    ['not a number', Number.NaN],
  ])('ignores a hint %s', (_, renewableAtMs) => {
    expect(computeRefreshAtMs(token(renewableAtMs), timing)).toBe(computeRefreshAtMs(token(), timing));
  });
});

describe('computeRepeatRequestAtMs (the IdP returned the token already held)', () => {
  const timing = { minRefreshIntervalMs: 500 };
  const hour = { receivedAtMs: 0, expiresAtMs: 3_600_000 };

  it('asks at the renewal hint when there is one ahead', () => {
    expect(computeRepeatRequestAtMs({ ...hour, renewableAtMs: 3_000_000 }, 2_520_000, timing)).toEqual({
      atMs: 3_000_000,
      basis: 'hint',
    });
  });

  it('otherwise waits an eighth of the time left', () => {
    expect(computeRepeatRequestAtMs(hour, 2_520_000, timing)).toEqual({ atMs: 2_655_000, basis: 'poll' });
    expect(computeRepeatRequestAtMs(hour, 3_300_000, timing)).toEqual({ atMs: 3_337_500, basis: 'poll' });
  });

  it('ignores a hint already behind', () => {
    expect(computeRepeatRequestAtMs({ ...hour, renewableAtMs: 1_000_000 }, 2_520_000, timing).basis).toBe(
      'poll',
    );
  });

  it('never waits less than min(minRefreshIntervalMs, lifetime / 40)', () => {
    expect(computeRepeatRequestAtMs(hour, 3_599_000, timing).atMs).toBe(3_599_500);
    const short = { receivedAtMs: 0, expiresAtMs: 2000 };
    expect(computeRepeatRequestAtMs(short, 1990, timing).atMs).toBe(2040);
  });

  it('for any lifetime and renewal window, notices the window with ≥ 7/8 of it left, in a bounded number of requests', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 86_400_000 }),
        fc.double({ min: 0.04, max: 0.5, noNaN: true }),
        fc.double({ min: 0.5, max: 0.9, noNaN: true }),
        (lifetimeMs, windowShare, firstShare) => {
          const held = { receivedAtMs: 0, expiresAtMs: lifetimeMs };
          const windowMs = windowShare * lifetimeMs;
          const renewsAtMs = lifetimeMs - windowMs;
          let nowMs = Math.floor(firstShare * lifetimeMs);
          fc.pre(nowMs < renewsAtMs); // the first refresh got the same token
          let requests = 1;
          while (nowMs < renewsAtMs) {
            nowMs = computeRepeatRequestAtMs(held, nowMs, { minRefreshIntervalMs: 500 }).atMs;
            requests++;
          }
          const floorMs = Math.min(500, lifetimeMs / 40);
          expect(lifetimeMs - nowMs).toBeGreaterThanOrEqual(
            Math.min((7 / 8) * windowMs, windowMs - floorMs) - 1,
          );
          // From ttl T to window W at 1/8 per step: at most log(T/W)/log(8/7) + 2 requests.
          const bound = Math.log((lifetimeMs - firstShare * lifetimeMs) / windowMs) / Math.log(8 / 7) + 2;
          expect(requests).toBeLessThanOrEqual(Math.max(2, Math.ceil(bound)));
        },
      ),
    );
  });
});
