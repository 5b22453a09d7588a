import { AWS_EXAMPLE_KEY_PAIR, AwsCredentialStore, verifyIamAuthToken } from '@authx/emulator';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { createIamAuthToken, iamTokenExpiresAtMs } from '../../src';

describe('createIamAuthToken', () => {
  it("the SDK signer this package uses reproduces AWS's published S3 presigned-URL example", async () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
    const signer = new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: AWS_EXAMPLE_KEY_PAIR,
      sha256: Sha256,
      uriEscapePath: false,
    });
    const signed = await signer.presign(
      {
        method: 'GET',
        protocol: 'https:',
        hostname: 'examplebucket.s3.amazonaws.com',
        path: '/test.txt',
        query: {},
        headers: { host: 'examplebucket.s3.amazonaws.com', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      },
      {
        signingDate: new Date('2013-05-24T00:00:00Z'),
        expiresIn: 86400,
        unhoistableHeaders: new Set(['x-amz-content-sha256']),
        unsignableHeaders: new Set(['x-amz-content-sha256']),
      },
    );
    expect(signed.query?.['X-Amz-Signature']).toBe(
      'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    );
  });

  const store = new AwsCredentialStore();
  const key = store.addLongTermKey(AWS_EXAMPLE_KEY_PAIR);
  const signedAtMs = Date.UTC(2026, 5, 1, 12, 0, 0);
  const params = {
    service: 'elasticache' as const,
    cacheName: 'orders-cache',
    userId: 'app-user',
    region: 'eu-west-2',
    credentials: key,
    signingDate: new Date(signedAtMs + 400),
    expiresInSeconds: 900,
  };
  const expectations = {
    service: 'elasticache' as const,
    region: 'eu-west-2',
    cacheName: 'orders-cache',
    store,
    now: signedAtMs + 1000,
    maxTokenValidityMs: 900_000,
  };

  it('presigns GET http://<cache>/?Action=connect&User=<user> and returns it without http://', async () => {
    const token = await createIamAuthToken(params);
    expect(token.startsWith('orders-cache/?')).toBe(true);
    expect(token).not.toContain('http');
    const query = new URLSearchParams(token.slice(token.indexOf('?') + 1));
    expect(Object.fromEntries(query)).toMatchObject({
      Action: 'connect',
      User: 'app-user',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIAIOSFODNN7EXAMPLE/20260601/eu-west-2/elasticache/aws4_request',
      'X-Amz-Date': '20260601T120000Z',
      'X-Amz-Expires': '900',
      'X-Amz-SignedHeaders': 'host',
    });
    expect(query.has('ResourceType')).toBe(false);
    expect(iamTokenExpiresAtMs({ password: token })).toBe(signedAtMs + 900_000);
  });

  it('is accepted by the independent verifier (node:crypto), for ElastiCache, Serverless and MemoryDB', async () => {
    expect(verifyIamAuthToken('app-user', await createIamAuthToken(params), expectations).ok).toBe(true);
    const serverless = await createIamAuthToken({ ...params, serverless: true });
    expect(serverless).toContain('ResourceType=ServerlessCache');
    expect(verifyIamAuthToken('app-user', serverless, { ...expectations, serverless: true }).ok).toBe(true);
    const memorydb = await createIamAuthToken({ ...params, service: 'memorydb' });
    expect(verifyIamAuthToken('app-user', memorydb, { ...expectations, service: 'memorydb' }).ok).toBe(true);
  });

  it('signs temporary credentials with their session token, which the verifier checks', async () => {
    const temporary = store.issueTemporary(3_600_000);
    const token = await createIamAuthToken({ ...params, credentials: temporary, signingDate: new Date() });
    expect(new URLSearchParams(token.split('?')[1]).get('X-Amz-Security-Token')).toBe(temporary.sessionToken);
    expect(verifyIamAuthToken('app-user', token, { ...expectations, now: Date.now() }).ok).toBe(true);
  });

  it('encodes user ids with reserved characters so that the verifier computes the same signature', async () => {
    const token = await createIamAuthToken({ ...params, userId: "o'brien+ops@example.com/(1)*" });
    expect(verifyIamAuthToken("o'brien+ops@example.com/(1)*", token, expectations).ok).toBe(true);
  });

  it.each([
    ['wrong-cache', { cacheName: 'other-cache' }, {}],
    ['wrong-region', { region: 'us-east-1' }, {}],
    ['wrong-service', { service: 'memorydb' as const }, {}],
    ['username-mismatch', { userId: 'intruder' }, {}],
    ['wrong-resource-type', { serverless: true }, {}],
    ['expired', {}, { now: signedAtMs + 900_000 }],
  ])('a token with the wrong aspect is refused with %s', async (reason, change, when) => {
    const token = await createIamAuthToken({ ...params, ...change });
    expect(verifyIamAuthToken('app-user', token, { ...expectations, ...when })).toEqual({
      ok: false,
      reason,
    });
  });

  it('a tampered token is refused with bad-signature', async () => {
    const token = await createIamAuthToken(params);
    const tampered = token.replace('X-Amz-Expires=900', 'X-Amz-Expires=901');
    expect(verifyIamAuthToken('app-user', tampered, expectations)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });
});
