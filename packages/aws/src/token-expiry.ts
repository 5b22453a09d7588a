import type { BasicAuth } from '@authx/token-core';

/**
 * When an ElastiCache / MemoryDB IAM token stops being accepted for new AUTHs (epoch ms):
 * `X-Amz-Date` + `X-Amz-Expires`, read from the password; undefined when it is not such a token.
 * Give it to `@authx/redis-auth` as `expiresAtMs` so that a handshake is never handed an
 * expired token (its default reads JWT `exp` claims only).
 */
export function iamTokenExpiresAtMs(credentials: BasicAuth): number | undefined {
  const password = credentials.password;
  if (typeof password !== 'string') return undefined;
  const date = /[?&]X-Amz-Date=(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z(?:&|$)/.exec(password);
  const expires = /[?&]X-Amz-Expires=(\d{1,6})(?:&|$)/.exec(password);
  if (!date || !expires) return undefined;
  const signedAtMs = Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6]);
  return Number.isNaN(signedAtMs) ? undefined : signedAtMs + Number(expires[1]) * 1000;
}
