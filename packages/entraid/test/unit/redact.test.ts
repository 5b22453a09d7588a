import { createRedactor } from '../../src/redact';

describe('createRedactor', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiJ4In0.c2lnbmF0dXJl';

  it('removes known secrets wherever they appear', () => {
    expect(createRedactor(['s3cr3t-value'])('body client_secret=s3cr3t-value&x=s3cr3t-value')).toBe(
      'body client_secret=[redacted]&x=[redacted]',
    );
  });

  it('removes anything shaped like a JWT', () => {
    expect(createRedactor([])(`token ${jwt} end`)).toBe('token [redacted token] end');
  });

  it('removes PEM blocks, also truncated ones', () => {
    const redact = createRedactor([]);
    expect(redact('key -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end')).toBe(
      'key [redacted PEM] end',
    );
    expect(redact('key -----BEGIN RSA PRIVATE KEY-----\nMIIE')).toBe('key [redacted PEM]');
  });

  it('ignores secrets too short to match safely', () => {
    expect(createRedactor(['ab', undefined])('abc')).toBe('abc');
  });
});
