import { request } from 'node:https';

/** A client-credentials token request to a running emulator (what the `token` subcommand sends). */
export interface ClientCredentialsRequest {
  /** `https://HOST:PORT/TENANT`. */
  readonly authority: string;
  /** PEM of the CA that signed the authority's certificate. */
  readonly caPem: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  /** Abort after this long, in milliseconds; default 10000. */
  readonly timeoutMs?: number;
}

/** The token and the claims a Redis client needs. */
export interface ClientCredentialsToken {
  readonly accessToken: string;
  /** `oid` claim: the Redis username. */
  readonly oid: string;
  /** `exp` claim, epoch seconds. */
  readonly expiresOnSec: number;
}

/** Raised when the token request fails; the message has Entra's error code and text, never the secret. */
export class TokenRequestError extends Error {
  readonly code = 'TOKEN_REQUEST_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenRequestError';
  }
}

/** POSTs `grant_type=client_credentials` to `{authority}/oauth2/v2.0/token`. */
export function requestClientCredentialsToken(
  input: ClientCredentialsRequest,
): Promise<ClientCredentialsToken> {
  const url = new URL(`${input.authority}/oauth2/v2.0/token`);
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: input.clientId,
    client_secret: input.clientSecret,
    scope: input.scope,
  }).toString();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        ca: input.caPem,
        timeout: input.timeoutMs ?? 10_000,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            resolve(readTokenResponse(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`no answer within ${input.timeoutMs ?? 10_000} ms`)),
    );
    outgoing.on('error', (error) =>
      reject(new TokenRequestError(`cannot reach ${url.origin}: ${error.message}`, { cause: error })),
    );
    outgoing.end(body);
  });
}

function readTokenResponse(status: number, text: string): ClientCredentialsToken {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TokenRequestError(`the token endpoint answered ${status} without JSON`, { cause: error });
  }
  if (status !== 200 || typeof json.access_token !== 'string') {
    // Entra's error_description never echoes the request's secret.
    throw new TokenRequestError(
      `the token endpoint answered ${status} ${json.error ?? ''}: ${json.error_description ?? ''}`,
    );
  }
  const accessToken = json.access_token;
  const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return { accessToken, oid: String(claims.oid), expiresOnSec: Number(claims.exp) };
}
