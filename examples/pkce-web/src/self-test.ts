import { setTimeout as sleep } from 'node:timers/promises';
import { allMet } from '@example/kit';
import { httpGet } from './http-get';
import type { Target } from './target';
import type { MeResponse, WebApp } from './web-app';

/** Tokens the run must show: the one from the code, then at least two silent refreshes. */
const MIN_TOKENS = 3;

/**
 * Plays the browser against the running app and the emulator: GET /login, follow the redirect to
 * the authorize endpoint (which signs the emulator's user in without a page), follow its redirect
 * to /callback, then call /me every 100 ms for `durationMs` while the user's tokens rotate.
 */
export async function selfTest(app: WebApp, target: Target, durationMs: number): Promise<boolean> {
  const login = await httpGet(`${app.url}/login`);
  const authorizeUrl = expectRedirect('/login', login.status, login.headers.location);
  console.log(`/login → ${new URL(authorizeUrl).origin}${new URL(authorizeUrl).pathname}`);
  const authorize = await httpGet(authorizeUrl, { ca: target.caPem });
  const callbackUrl = expectRedirect('authorize', authorize.status, authorize.headers.location);
  console.log(`authorize → ${new URL(callbackUrl).pathname}?code=…`);
  const callback = await httpGet(callbackUrl);
  const cookie = callback.headers['set-cookie']?.[0]?.split(';')[0];
  if (callback.status !== 200 || !cookie)
    throw new Error(`/callback answered ${callback.status}: ${callback.body}`);

  let ok = 0;
  let failed = 0;
  let last: MeResponse | undefined;
  const endAtMs = Date.now() + durationMs;
  while (Date.now() < endAtMs) {
    const me = await httpGet(`${app.url}/me`, { cookie });
    if (me.status === 200) {
      ok++;
      last = JSON.parse(me.body) as MeResponse;
    } else {
      failed++;
      console.log(`/me answered ${me.status}: ${me.body}`);
    }
    await sleep(100);
  }
  const grants = target.tokenGrants() ?? [];
  console.log(
    `/me ok: ${ok}, failed: ${failed}; Redis user: ${last?.redisUser}, visits: ${last?.visits}, ` +
      `user tokens: ${last?.tokensAcquired} (grants: ${summarize(grants)})`,
  );
  return allMet({
    'every /me succeeded': failed === 0 && last !== undefined,
    'Redis user is the signed-in user': last?.redisUser === target.expectedUserOid,
    'every visit counted': last?.visits === ok,
    [`at least ${MIN_TOKENS} user tokens`]: (last?.tokensAcquired ?? 0) >= MIN_TOKENS,
    'first token from the code, later ones from the refresh token':
      grants[0] === 'authorization_code' && grants.slice(1).every((grant) => grant === 'refresh_token'),
  });
}

function expectRedirect(step: string, status: number, location: string | undefined): string {
  if (status !== 302 || !location) throw new Error(`${step} answered ${status} without a redirect`);
  return location;
}

/** `authorization_code ×1, refresh_token ×4`. */
function summarize(grants: string[]): string {
  const counts = new Map<string, number>();
  for (const grant of grants) counts.set(grant, (counts.get(grant) ?? 0) + 1);
  return [...counts].map(([grant, n]) => `${grant} ×${n}`).join(', ');
}
