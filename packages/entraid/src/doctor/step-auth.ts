import { RespConnectionError, type RespConnection } from './resp-connection';
import type { TokenOutcome } from './step-token';
import { type DoctorConfig, fail, pass, type StepResult } from './types';

const TITLE = 'AUTH accepted';

/** Audiences Azure Cache for Redis / Azure Managed Redis accept. */
export const REDIS_AUDIENCES: readonly string[] = [
  'https://redis.azure.com',
  'https://redis.azure.com/',
  'acca5fbb-b7e4-4009-81f1-37e38fd66d78',
];

/** Step 5: `AUTH <oid> <token>`; a refusal is explained from the token's claims. */
export async function checkAuth(
  config: DoctorConfig,
  connection: RespConnection,
  token: TokenOutcome,
  now: () => number,
): Promise<StepResult> {
  const username = token.username ?? token.claims?.oid ?? '';
  const oid = token.claims?.oid;
  const data = { username, oid, tid: token.claims?.tid, aud: token.claims?.aud };
  let reply: string;
  try {
    reply = await connection.command(['AUTH', username, token.accessToken ?? ''], config.timeoutMs);
  } catch (error) {
    const code = error instanceof RespConnectionError ? error.code : 'ERROR';
    return fail('auth', TITLE, {
      code: 'AUTH_NO_REPLY',
      detail: `AUTH got no reply (${code})`,
      cause: 'the server closed the connection or did not answer AUTH',
      fix: 'check that the URL points at the cache itself (not a proxy) and that its TLS setting matches the port',
      data,
    });
  }
  if (reply === '+OK') return pass('auth', TITLE, `AUTH ${username} <token> → OK`, data);
  const refusal = reply.replace(/^-/, '');
  const failed = (code: string, cause: string, fix: string) =>
    fail('auth', TITLE, { code, detail: `AUTH ${username} <token> → ${refusal}`, cause, fix, data });

  if (refusal.startsWith('WRONGPASS')) {
    const aud = token.claims?.aud;
    if (aud !== undefined && !REDIS_AUDIENCES.includes(aud)) {
      return failed(
        'AUTH_WRONG_AUDIENCE',
        `the token is for audience ${aud}, not for Azure Cache for Redis (${REDIS_AUDIENCES[0]})`,
        `request the scope https://redis.azure.com/.default (--scope / AZURE_REDIS_SCOPE${config.flow === 'managed-identity' ? '; managed identity resource https://redis.azure.com' : ''})`,
      );
    }
    const exp = token.claims?.exp;
    if (exp !== undefined && exp * 1000 <= now()) {
      return failed(
        'AUTH_TOKEN_EXPIRED',
        `the token expired at ${new Date(exp * 1000).toISOString()}`,
        'get a fresh token; check the clock',
      );
    }
    if (oid !== undefined && username !== oid) {
      return failed(
        'AUTH_USERNAME_MISMATCH',
        `the username ${username} is not the token's oid ${oid}`,
        `use the oid claim as the username (the default credentials mapper does)`,
      );
    }
    return failed(
      'AUTH_NO_ACCESS_POLICY',
      `Redis refused the identity oid ${oid ?? '(none)'} (tenant ${token.claims?.tid ?? '?'}): it holds no data access policy on this cache — or Microsoft Entra authentication is not enabled on it, or the cache belongs to another tenant`,
      `add the identity with object id ${oid ?? '<oid>'} to the cache's access list: Azure portal › the cache › Authentication (Data Access Configuration) › Add user › "Data Owner" / "Data Contributor"; or az redis access-policy-assignment create --name <cache> --resource-group <rg> --access-policy-name "Data Owner" --object-id ${oid ?? '<oid>'} --object-id-alias <name> --policy-assignment-name <name> (Azure Managed Redis: az redisenterprise database access-policy-assignment create …); changes take a few minutes to apply`,
    );
  }
  if (/without any password configured|wrong number of arguments/i.test(refusal)) {
    return failed(
      'AUTH_NOT_ENABLED',
      'this Redis has no users to authenticate as: Microsoft Entra authentication is not enabled on it (or this is not the cache)',
      'enable Microsoft Entra authentication on the cache (Authentication › Microsoft Entra Authentication), and check the URL',
    );
  }
  return failed(
    'AUTH_REFUSED',
    `Redis refused AUTH: ${refusal}`,
    "check the cache's authentication settings and access policies",
  );
}
