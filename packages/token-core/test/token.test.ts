import { inspect } from 'node:util';
import { Token } from '../src';

const SECRET = 'eyJ-super-secret-access-token';

describe('Token', () => {
  const token = new Token({ accessToken: SECRET }, 1_700_000_060_000, 1_700_000_000_000);

  describe('times', () => {
    it('reports the time left and never a negative one', () => {
      expect(token.ttlMs(1_700_000_000_000)).toBe(60_000);
      expect(token.getTtlMs(1_700_000_050_000)).toBe(10_000);
      expect(token.ttlMs(1_800_000_000_000)).toBe(0);
    });

    it('is expired from its expiry instant on', () => {
      expect(token.isExpired(1_700_000_059_999)).toBe(false);
      expect(token.isExpired(1_700_000_060_000)).toBe(true);
    });

    it('knows its lifetime', () => {
      expect(token.lifetimeMs).toBe(60_000);
      expect(new Token('x', 5, 10).lifetimeMs).toBe(0);
    });
  });

  describe('redaction', () => {
    it('gives the value only through value', () => {
      expect(token.value.accessToken).toBe(SECRET);
      expect(Object.keys(token)).not.toContain('value');
    });

    it.each([
      ['toString()', () => token.toString()],
      ['String()', () => String(token)],
      ['a template literal', () => `${token}`],
      ['JSON.stringify', () => JSON.stringify(token)],
      ['JSON.stringify of a containing object', () => JSON.stringify({ nested: { token } })],
      ['util.inspect', () => inspect(token)],
      [
        'util.inspect with showHidden and infinite depth',
        () => inspect({ token }, { showHidden: true, depth: null }),
      ],
      ['console-style %o formatting', () => require('node:util').format('%o %O %s', token, token, token)],
    ])('keeps the value out of %s', (_how, render) => {
      const text = render();
      expect(text).not.toContain(SECRET);
      expect(text).toContain('redacted');
    });

    it('still shows when it expires', () => {
      expect(token.toString()).toBe('Token(expiresAt=2023-11-14T22:14:20.000Z, value=[redacted])');
      expect(JSON.parse(JSON.stringify(token))).toEqual({
        expiresAtMs: 1_700_000_060_000,
        receivedAtMs: 1_700_000_000_000,
        value: '[redacted]',
      });
    });

    it('prints an impossible expiry as a number instead of throwing', () => {
      expect(new Token('x', Number.NaN, 0).toString()).toBe('Token(expiresAt=NaN, value=[redacted])');
    });
  });
});
