import { ConnectionRateLimit } from '../../src/gateway/connection-rate-limit';

describe('ConnectionRateLimit', () => {
  const admitted = (limit: ConnectionRateLimit, times: number[]) => times.map((t) => limit.admit(t));

  it('admits up to perSecond connections in any 1000 ms window and refuses the rest', () => {
    expect(admitted(new ConnectionRateLimit(3), [0, 10, 20, 30, 999])).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('admits again once the oldest admission left the window (sliding, not per calendar second)', () => {
    const limit = new ConnectionRateLimit(2);
    expect(admitted(limit, [0, 600, 999, 1000, 1300, 1599, 1600])).toEqual([
      true, // 0
      true, // 600
      false, // 999: 0 and 600 are within the window
      true, // 1000: 0 left it
      false, // 1300: 600 and 1000 are within it
      false, // 1599
      true, // 1600: 600 left it
    ]);
  });

  it('does not count refused connections against later ones', () => {
    const limit = new ConnectionRateLimit(1);
    expect(admitted(limit, [0, 1, 2, 3, 1000, 1001])).toEqual([true, false, false, false, true, false]);
  });
});
