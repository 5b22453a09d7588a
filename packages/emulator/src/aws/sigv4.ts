import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * AWS Signature Version 4, written on `node:crypto` from the published algorithm — independent of
 * the AWS SDK's signer, so that tests of a client built on that signer check it against a second
 * implementation. Only what presigned (query-string) requests need.
 */

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** SHA-256 of the empty string: the payload hash of a request without a body. */
export const EMPTY_PAYLOAD_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** RFC 3986 encoding as SigV4 defines it: everything but `A-Z a-z 0-9 - _ . ~` is %XX (upper case). */
export function sigv4Encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The canonical query string: every pair encoded, sorted by name then value, joined with `&`. */
export function canonicalQueryString(params: ReadonlyArray<readonly [string, string]>): string {
  return params
    .map(([name, value]) => [sigv4Encode(name), sigv4Encode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export interface CanonicalRequestParts {
  readonly method: string;
  /** The path, already URI-encoded as sent (`/` for an ElastiCache token). */
  readonly path: string;
  /** Every query parameter except `X-Amz-Signature`. */
  readonly query: ReadonlyArray<readonly [string, string]>;
  /** Signed headers, lower-case names (only `host` in a presigned token). */
  readonly headers: Readonly<Record<string, string>>;
  readonly payloadHash: string;
}

export function canonicalRequest(parts: CanonicalRequestParts): string {
  const names = Object.keys(parts.headers).sort();
  const canonicalHeaders = names
    .map((n) => `${n}:${parts.headers[n].trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  return [
    parts.method,
    parts.path,
    canonicalQueryString(parts.query),
    canonicalHeaders,
    names.join(';'),
    parts.payloadHash,
  ].join('\n');
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `AWS4-HMAC-SHA256 \n <amz date> \n <scope> \n hex(sha256(canonical request))`. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

/** The signing key: HMAC chain over date (YYYYMMDD), region, service, `aws4_request`. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

/** Hex signature of a string to sign. */
export function sigv4Signature(
  secretAccessKey: string,
  date: string,
  region: string,
  service: string,
  toSign: string,
): string {
  return createHmac('sha256', signingKey(secretAccessKey, date, region, service))
    .update(toSign)
    .digest('hex');
}

/** Constant-time comparison of two hex signatures. */
export function signaturesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `20130524T000000Z` → epoch ms; undefined when malformed. */
export function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? undefined : ms;
}
