import { createHash } from 'node:crypto';
import type { CredentialVerifier } from '../gateway/credential-verifier';
import type { AuthFailureReason, ValidationResult } from '../gateway/token-validator';
import type { AwsCredentialStore } from './aws-credential-store';
import {
  canonicalRequest,
  EMPTY_PAYLOAD_SHA256,
  parseAmzDate,
  SIGV4_ALGORITHM,
  signaturesEqual,
  sigv4Signature,
  stringToSign,
} from './sigv4';

/** What an ElastiCache / MemoryDB IAM token must be for (see {@link verifyIamAuthToken}). */
export interface IamTokenExpectations {
  /** `elasticache` or `memorydb`. */
  readonly service: 'elasticache' | 'memorydb';
  readonly region: string;
  /** The cache / replication group / cluster name: the presigned URL's host. */
  readonly cacheName: string;
  /** ElastiCache Serverless: the token must carry `ResourceType=ServerlessCache` (and others must not). */
  readonly serverless?: boolean;
  readonly store: AwsCredentialStore;
  /** Current time, epoch ms. */
  readonly now: number;
  /** How long after its `X-Amz-Date` a token may be used for AUTH, at most; AWS: 15 min. */
  readonly maxTokenValidityMs: number;
  /** A token dated this far in the future is still accepted (clock skew); default 0. */
  readonly clockSkewMs?: number;
}

export type IamTokenCheck =
  | {
      readonly ok: true;
      readonly user: string;
      readonly accessKeyId: string;
      readonly signedAtMs: number;
      readonly expiresAtMs: number;
      /** A digest of the signature: tells two tokens apart, reveals nothing. */
      readonly tokenId: string;
    }
  | { readonly ok: false; readonly reason: AuthFailureReason };

const REQUIRED = [
  'Action',
  'User',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;
const ALLOWED = new Set<string>([...REQUIRED, 'X-Amz-Security-Token', 'ResourceType']);
const MAX_EXPIRES_SECONDS = 604_800;

function fail(reason: AuthFailureReason): IamTokenCheck {
  return { ok: false, reason };
}

/** Splits `host/?a=b&c=d` (no scheme) into host and decoded query pairs; undefined when malformed. */
function parseToken(token: string): { host: string; pairs: Array<[string, string]> } | undefined {
  const slash = token.indexOf('/?');
  if (slash <= 0 || /[\s:]/.test(token.slice(0, slash))) return undefined;
  const pairs: Array<[string, string]> = [];
  try {
    for (const part of token.slice(slash + 2).split('&')) {
      const eq = part.indexOf('=');
      if (eq <= 0) return undefined;
      pairs.push([decodeURIComponent(part.slice(0, eq)), decodeURIComponent(part.slice(eq + 1))]);
    }
  } catch {
    return undefined;
  }
  return { host: token.slice(0, slash), pairs };
}

/**
 * Verifies an ElastiCache / MemoryDB IAM authentication token — a SigV4-presigned
 * `GET http://<cache>/?Action=connect&User=<user>[&ResourceType=ServerlessCache]` sent without
 * `http://` — the way the service does: host = cache name, `Action=connect`, `User` = the AUTH
 * user, credential scope (date / region / service), a known access key (and its session token
 * for temporary credentials, which must not have expired), the signature (payload hash of an
 * empty body, signed header `host`), and the date window. Returns the first reason it fails.
 */
export function verifyIamAuthToken(
  username: string,
  token: string,
  expect: IamTokenExpectations,
): IamTokenCheck {
  const parsed = parseToken(token);
  if (!parsed) return fail('malformed');
  const params = new Map<string, string>();
  for (const [name, value] of parsed.pairs) {
    if (params.has(name) || !ALLOWED.has(name)) return fail('malformed');
    params.set(name, value);
  }
  if (REQUIRED.some((name) => !params.has(name))) return fail('malformed');
  const get = (name: string) => params.get(name) as string;
  if (get('X-Amz-Algorithm') !== SIGV4_ALGORITHM || get('X-Amz-SignedHeaders') !== 'host') {
    return fail('malformed');
  }
  if (parsed.host !== expect.cacheName) return fail('wrong-cache');
  if (get('Action') !== 'connect') return fail('wrong-action');
  if (get('User') !== username) return fail('username-mismatch');
  const resourceType = params.get('ResourceType');
  if (expect.serverless ? resourceType !== 'ServerlessCache' : resourceType !== undefined) {
    return fail('wrong-resource-type');
  }
  const amzDate = get('X-Amz-Date');
  const signedAtMs = parseAmzDate(amzDate);
  const scope = get('X-Amz-Credential').split('/');
  if (signedAtMs === undefined || scope.length !== 5 || scope[4] !== 'aws4_request') return fail('malformed');
  const [accessKeyId, date, region, service] = scope;
  if (date !== amzDate.slice(0, 8)) return fail('malformed');
  if (region !== expect.region) return fail('wrong-region');
  if (service !== expect.service) return fail('wrong-service');
  const expiresText = get('X-Amz-Expires');
  const expiresSeconds = /^\d{1,6}$/.test(expiresText) ? Number(expiresText) : 0;
  if (expiresSeconds < 1 || expiresSeconds > MAX_EXPIRES_SECONDS) return fail('malformed');

  const key = expect.store.lookup(accessKeyId);
  if (!key) return fail('unknown-access-key');
  if ((params.get('X-Amz-Security-Token') ?? undefined) !== key.sessionToken)
    return fail('bad-session-token');
  const query = [...params].filter(([name]) => name !== 'X-Amz-Signature');
  const canonical = canonicalRequest({
    method: 'GET',
    path: '/',
    query,
    headers: { host: parsed.host },
    payloadHash: EMPTY_PAYLOAD_SHA256,
  });
  const expected = sigv4Signature(
    key.secretAccessKey,
    date,
    region,
    service,
    stringToSign(amzDate, `${date}/${region}/${service}/aws4_request`, canonical),
  );
  if (!signaturesEqual(expected, get('X-Amz-Signature'))) return fail('bad-signature');

  const now = expect.now;
  if (signedAtMs > now + (expect.clockSkewMs ?? 0)) return fail('not-yet-valid');
  const expiresAtMs = signedAtMs + Math.min(expiresSeconds * 1000, expect.maxTokenValidityMs);
  if (now >= expiresAtMs) return fail('expired');
  if (key.expiresAtMs !== undefined && now >= key.expiresAtMs) return fail('credentials-expired');
  return {
    ok: true,
    user: username,
    accessKeyId,
    signedAtMs,
    expiresAtMs,
    tokenId: createHash('sha256').update(get('X-Amz-Signature')).digest('hex').slice(0, 16),
  };
}

/** Options of {@link createIamTokenVerifier}. */
export interface IamTokenVerifierOptions extends Omit<IamTokenExpectations, 'now'> {
  readonly now: () => number;
  /** An authenticated connection is closed this long after its last successful AUTH; AWS: 12 h. */
  readonly maxConnectionAgeMs: number;
}

/** The gateway's verifier for the `elasticache` / `memorydb` profiles. */
export function createIamTokenVerifier(options: IamTokenVerifierOptions): CredentialVerifier {
  return {
    async validate(username: string, token: string): Promise<ValidationResult> {
      const now = options.now();
      const check = verifyIamAuthToken(username, token, { ...options, now });
      if (!check.ok) return check;
      return {
        ok: true,
        principal: {
          oid: check.user,
          audience: `${options.service}:${options.region}:${options.cacheName}`,
          issuer: `aws:${check.accessKeyId}`,
          expiresAtMs: check.expiresAtMs,
          tokenId: check.tokenId,
          evictAtMs: now + options.maxConnectionAgeMs,
          evictionReason: 'max-age',
        },
      };
    },
  };
}
