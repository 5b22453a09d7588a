import { blockingTimeoutMs, commandKind, jwtExpiresAtMs } from '../../src';

describe('commandKind', () => {
  it.each([
    [['multi'], 'multi'],
    [['EXEC'], 'end-transaction'],
    [[Buffer.from('discard')], 'end-transaction'],
    [['RESET'], 'reset'],
    [['BLPOP', 'k', '0'], 'blocking'],
    [['bzpopmin', 'k', 1], 'blocking'],
    [['XREAD', 'BLOCK', '100', 'STREAMS', 's', '$'], 'blocking'],
    [['XREAD', 'STREAMS', 's', '$'], 'other'],
    // A key or group named "block" is not the BLOCK option.
    [['XREAD', 'STREAMS', 'block', '$'], 'other'],
    [['XREADGROUP', 'GROUP', 'block', 'c', 'STREAMS', 's', '>'], 'other'],
    [['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '5', 'BLOCK', '0', 'STREAMS', 's', '>'], 'blocking'],
    [['GET', 'k'], 'other'],
    [[], 'other'],
    [[42], 'other'],
  ] as const)('classifies %j as %s', (args, kind) => {
    expect(commandKind(args)).toBe(kind);
  });
});

describe('blockingTimeoutMs', () => {
  it.each([
    [['BLPOP', 'a', 'b', '1.5'], 1500],
    [['BLPOP', 'a', '0'], Number.POSITIVE_INFINITY],
    [['BLPOP', 'a', 'soon'], Number.POSITIVE_INFINITY],
    [['BLMPOP', '2', '1', 'k', 'LEFT'], 2000],
    [['XREAD', 'BLOCK', '250', 'STREAMS', 's', '$'], 250],
    [['WAIT', '1', '100'], 100],
  ] as const)('reads %j as %d ms (0 = forever)', (args, ms) => {
    expect(blockingTimeoutMs(args)).toBe(ms);
  });
});

describe('jwtExpiresAtMs', () => {
  const jwt = (claims: object) =>
    `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.signature`;

  it('reads exp from a JWT password and returns undefined otherwise', () => {
    expect(jwtExpiresAtMs({ password: jwt({ exp: 1_900_000_000 }) })).toBe(1_900_000_000_000);
    expect(jwtExpiresAtMs({ password: jwt({ exp: 'soon' }) })).toBeUndefined();
    expect(jwtExpiresAtMs({ password: 'a.!!!.c' })).toBeUndefined();
    expect(jwtExpiresAtMs({ password: 'plain-password' })).toBeUndefined();
    expect(jwtExpiresAtMs({})).toBeUndefined();
  });
});
