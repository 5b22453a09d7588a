import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

/** The AWS services with IAM authentication for Redis / Valkey. */
export type IamAuthService = 'elasticache' | 'memorydb';

/** What {@link createIamAuthToken} signs. */
export interface IamAuthTokenParams {
  readonly service: IamAuthService;
  /** Cache name / replication group id (ElastiCache) or cluster name (MemoryDB), lower case. */
  readonly cacheName: string;
  /** The IAM-enabled user's id (= its user name). */
  readonly userId: string;
  readonly region: string;
  /** ElastiCache Serverless: adds `ResourceType=ServerlessCache`. */
  readonly serverless?: boolean;
  /** Resolved credentials (a temporary set carries `sessionToken`). */
  readonly credentials: AwsCredentialIdentity;
  /** When the token is signed; `X-Amz-Date` keeps whole seconds. */
  readonly signingDate: Date;
  /** `X-Amz-Expires`, in seconds; AWS: 900 (15 min). */
  readonly expiresInSeconds: number;
}

// SigV4 query encoding: RFC 3986 unreserved characters stay, everything else is %XX.
function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Presigns `GET http://<cacheName>/?Action=connect&User=<userId>[&ResourceType=ServerlessCache]`
 * with SigV4 (`@smithy/signature-v4`, service `elasticache` / `memorydb`) and returns it without
 * `http://`: the password of `AUTH <userId> <token>`.
 */
export async function createIamAuthToken(params: IamAuthTokenParams): Promise<string> {
  const signer = new SignatureV4({
    service: params.service,
    region: params.region,
    credentials: params.credentials,
    sha256: Sha256,
    applyChecksum: false,
  });
  const query: Record<string, string> = { Action: 'connect', User: params.userId };
  if (params.serverless) query.ResourceType = 'ServerlessCache';
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: params.cacheName,
      path: '/',
      query,
      headers: { host: params.cacheName },
    },
    { signingDate: params.signingDate, expiresIn: params.expiresInSeconds },
  );
  const pairs = Object.entries(signed.query ?? {}).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value])
      .filter((v): v is string => typeof v === 'string')
      .map((v) => `${encode(name)}=${encode(v)}`),
  );
  return `${params.cacheName}/?${pairs.join('&')}`;
}
