import {
  type AwsKeyPair,
  canonicalQueryString,
  canonicalRequest,
  EMPTY_PAYLOAD_SHA256,
  sigv4Signature,
  stringToSign,
} from '../../src';

export interface PresignParams {
  readonly key: AwsKeyPair;
  readonly host: string;
  readonly user: string;
  readonly region: string;
  readonly service: string;
  readonly atMs: number;
  readonly expiresSeconds?: number;
  readonly serverless?: boolean;
  readonly action?: string;
}

function amzDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** An IAM token signed with the emulator's own SigV4 (for the emulator's tests; the aws package signs with the SDK). */
export function presignIamToken(p: PresignParams): string {
  const date = amzDate(p.atMs);
  const scope = `${date.slice(0, 8)}/${p.region}/${p.service}/aws4_request`;
  const query: Array<[string, string]> = [
    ['Action', p.action ?? 'connect'],
    ['User', p.user],
    ...(p.serverless ? [['ResourceType', 'ServerlessCache'] as [string, string]] : []),
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${p.key.accessKeyId}/${scope}`],
    ['X-Amz-Date', date],
    ['X-Amz-Expires', String(p.expiresSeconds ?? 900)],
    ['X-Amz-SignedHeaders', 'host'],
    ...(p.key.sessionToken ? [['X-Amz-Security-Token', p.key.sessionToken] as [string, string]] : []),
  ];
  const canonical = canonicalRequest({
    method: 'GET',
    path: '/',
    query,
    headers: { host: p.host },
    payloadHash: EMPTY_PAYLOAD_SHA256,
  });
  const signature = sigv4Signature(
    p.key.secretAccessKey,
    date.slice(0, 8),
    p.region,
    p.service,
    stringToSign(date, scope, canonical),
  );
  return `${p.host}/?${canonicalQueryString([...query, ['X-Amz-Signature', signature]])}`;
}
