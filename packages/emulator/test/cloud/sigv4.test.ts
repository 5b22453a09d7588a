import {
  AWS_EXAMPLE_KEY_PAIR,
  AwsCredentialStore,
  canonicalRequest,
  sigv4Signature,
  stringToSign,
  UNSIGNED_PAYLOAD,
  verifyIamAuthToken,
} from '../../src';
import { presignIamToken } from './presign';

describe('SigV4 (node:crypto, independent of the AWS SDK)', () => {
  it("computes the signature of AWS's published S3 presigned-URL example", () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
    const date = '20130524T000000Z';
    const scope = '20130524/us-east-1/s3/aws4_request';
    const canonical = canonicalRequest({
      method: 'GET',
      path: '/test.txt',
      query: [
        ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
        ['X-Amz-Credential', `AKIAIOSFODNN7EXAMPLE/${scope}`],
        ['X-Amz-Date', date],
        ['X-Amz-Expires', '86400'],
        ['X-Amz-SignedHeaders', 'host'],
      ],
      headers: { host: 'examplebucket.s3.amazonaws.com' },
      payloadHash: UNSIGNED_PAYLOAD,
    });
    expect(canonical).toBe(
      [
        'GET',
        '/test.txt',
        'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host',
        'host:examplebucket.s3.amazonaws.com',
        '',
        'host',
        'UNSIGNED-PAYLOAD',
      ].join('\n'),
    );
    const signature = sigv4Signature(
      AWS_EXAMPLE_KEY_PAIR.secretAccessKey,
      '20130524',
      'us-east-1',
      's3',
      stringToSign(date, scope, canonical),
    );
    expect(signature).toBe('aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
  });
});

describe('verifyIamAuthToken', () => {
  const store = new AwsCredentialStore();
  const key = store.addLongTermKey(AWS_EXAMPLE_KEY_PAIR);
  const atMs = Date.UTC(2026, 0, 2, 3, 4, 5);
  const base = { key, host: 'my-cache', user: 'app-user', region: 'eu-west-2', service: 'elasticache', atMs };
  const expect_ = {
    service: 'elasticache' as const,
    region: 'eu-west-2',
    cacheName: 'my-cache',
    store,
    now: atMs + 1000,
    maxTokenValidityMs: 900_000,
  };

  it('accepts a token signed for this cache, user, region and service', () => {
    const check = verifyIamAuthToken('app-user', presignIamToken(base), expect_);
    expect(check).toMatchObject({
      ok: true,
      user: 'app-user',
      accessKeyId: key.accessKeyId,
      expiresAtMs: atMs + 900_000,
    });
  });

  it.each([
    ['wrong-cache', { host: 'other-cache' }, {}],
    ['wrong-region', { region: 'us-east-1' }, {}],
    ['wrong-service', { service: 'memorydb' }, {}],
    ['wrong-action', { action: 'list' }, {}],
    ['wrong-resource-type', { serverless: true }, {}],
    ['expired', {}, { now: atMs + 900_000 }],
    ['not-yet-valid', {}, { now: atMs - 5000 }],
  ])('refuses with %s', (reason, token, expectations) => {
    const check = verifyIamAuthToken('app-user', presignIamToken({ ...base, ...token }), {
      ...expect_,
      ...expectations,
    });
    expect(check).toEqual({ ok: false, reason });
  });

  it('refuses a token for another user (username-mismatch) and a serverless token without ResourceType', () => {
    expect(verifyIamAuthToken('someone-else', presignIamToken(base), expect_)).toEqual({
      ok: false,
      reason: 'username-mismatch',
    });
    expect(verifyIamAuthToken('app-user', presignIamToken(base), { ...expect_, serverless: true })).toEqual({
      ok: false,
      reason: 'wrong-resource-type',
    });
  });

  it('refuses a tampered token (bad-signature), an unknown key and garbage (malformed)', () => {
    const token = presignIamToken(base);
    const tampered = token.replace(/X-Amz-Expires=900/, 'X-Amz-Expires=899');
    expect(verifyIamAuthToken('app-user', tampered, expect_)).toEqual({ ok: false, reason: 'bad-signature' });
    const flipped = token.replace(
      /X-Amz-Signature=(.)/,
      (_m, c) => `X-Amz-Signature=${c === 'a' ? 'b' : 'a'}`,
    );
    expect(verifyIamAuthToken('app-user', flipped, expect_)).toEqual({ ok: false, reason: 'bad-signature' });
    const stranger = new AwsCredentialStore().addLongTermKey();
    expect(verifyIamAuthToken('app-user', presignIamToken({ ...base, key: stranger }), expect_)).toEqual({
      ok: false,
      reason: 'unknown-access-key',
    });
    for (const garbage of ['', 'not a token', 'my-cache/?Action=connect', `http://${token}`]) {
      expect(verifyIamAuthToken('app-user', garbage, expect_)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('checks temporary credentials: their session token, and that they have not expired', () => {
    const clockStore = new AwsCredentialStore({ clock: { now: () => atMs, setTimeout, clearTimeout } });
    const temporary = clockStore.issueTemporary(60_000);
    const params = { ...base, key: temporary };
    const e = { ...expect_, store: clockStore };
    expect(verifyIamAuthToken('app-user', presignIamToken(params), e).ok).toBe(true);
    const withoutSession = presignIamToken({ ...params, key: { ...temporary, sessionToken: undefined } });
    expect(verifyIamAuthToken('app-user', withoutSession, e)).toEqual({
      ok: false,
      reason: 'bad-session-token',
    });
    expect(verifyIamAuthToken('app-user', presignIamToken(params), { ...e, now: atMs + 60_000 })).toEqual({
      ok: false,
      reason: 'credentials-expired',
    });
  });
});
