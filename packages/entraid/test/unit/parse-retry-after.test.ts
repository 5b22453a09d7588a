import { parseRetryAfterMs } from '../../src/network/parse-retry-after';

const NOW_MS = Date.parse('2026-11-20T10:00:00Z');

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs({ 'retry-after': '7' }, NOW_MS)).toBe(7000);
  });

  it('reads header names case-insensitively', () => {
    expect(parseRetryAfterMs({ 'Retry-After': '2' }, NOW_MS)).toBe(2000);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfterMs({ 'retry-after': 'Fri, 20 Nov 2026 10:00:30 GMT' }, NOW_MS)).toBe(30_000);
  });

  it('clamps a date in the past to 0', () => {
    expect(parseRetryAfterMs({ 'retry-after': 'Fri, 20 Nov 2026 09:00:00 GMT' }, NOW_MS)).toBe(0);
  });

  it('prefers the millisecond headers Azure sends', () => {
    expect(parseRetryAfterMs({ 'retry-after': '10', 'x-ms-retry-after-ms': '1500' }, NOW_MS)).toBe(1500);
    expect(parseRetryAfterMs({ 'retry-after-ms': '250' }, NOW_MS)).toBe(250);
  });

  it.each([undefined, {}, { 'retry-after': '' }, { 'retry-after': 'soon' }, { 'retry-after': '-3' }])(
    'returns undefined for %p',
    (headers) => {
      expect(parseRetryAfterMs(headers, NOW_MS)).toBeUndefined();
    },
  );
});
