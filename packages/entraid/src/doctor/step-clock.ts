import type { TokenOutcome } from './step-token';
import { type DoctorFlow, fail, pass, type StepResult } from './types';

const TITLE = 'clock in sync';

/** Skew beyond which the doctor fails: Entra ID and Redis allow about 5 minutes; half of that keeps a margin. */
export const MAX_CLOCK_SKEW_MS = 120_000;

/**
 * Step 3: compares the local clock with the token's `iat`. A freshly issued token's `iat` lies within
 * the request's round trip (give or take a second of rounding); a managed identity endpoint may hand
 * out a cached token, whose `iat` is older — then only "not in the future" and "not expired" can be
 * checked.
 */
export function checkClock(token: TokenOutcome, flow: DoctorFlow, now: () => number): StepResult {
  const iat = token.claims?.iat;
  const exp = token.claims?.exp;
  const requestedAtMs = token.requestedAtMs ?? now();
  const receivedAtMs = token.receivedAtMs ?? now();
  if (iat === undefined) {
    return pass('clock', TITLE, 'the token has no iat claim: skew not measurable');
  }
  const iatMs = iat * 1000;
  // Positive: the local clock is behind the identity provider's.
  const aheadOfUsMs = iatMs - (receivedAtMs + 1000);
  const behindUsMs = requestedAtMs - 1000 - iatMs;
  const fresh = flow !== 'managed-identity';
  const skewMs = aheadOfUsMs > 0 ? aheadOfUsMs : fresh && behindUsMs > 0 ? -behindUsMs : 0;
  const data = { iat, skewMs, maxSkewMs: MAX_CLOCK_SKEW_MS };
  if (skewMs > MAX_CLOCK_SKEW_MS) {
    return fail('clock', TITLE, {
      code: 'CLOCK_BEHIND',
      detail: `the local clock is ${seconds(skewMs)} behind the identity provider (token iat ${new Date(iatMs).toISOString()})`,
      cause:
        "this machine's clock is slow: tokens look valid longer than they are, so refreshes come late and Redis closes connections at expiry",
      fix: 'synchronise the clock (NTP: timedatectl set-ntp true / w32tm /resync), then run again',
      data,
    });
  }
  if (-skewMs > MAX_CLOCK_SKEW_MS || (exp !== undefined && exp * 1000 <= receivedAtMs)) {
    return fail('clock', TITLE, {
      code: 'CLOCK_AHEAD',
      detail: `the local clock is ${seconds(Math.max(-skewMs, exp !== undefined ? receivedAtMs - exp * 1000 : 0))} ahead of the identity provider (token iat ${new Date(iatMs).toISOString()})`,
      cause:
        "this machine's clock is fast: fresh tokens look expired or nearly so, so they are refreshed constantly and may be refused",
      fix: 'synchronise the clock (NTP: timedatectl set-ntp true / w32tm /resync), then run again',
      data,
    });
  }
  const detail =
    !fresh && behindUsMs > MAX_CLOCK_SKEW_MS
      ? `token issued ${seconds(behindUsMs)} ago (cached by the managed identity endpoint): not in the future, not expired`
      : `skew ${seconds(Math.abs(skewMs))} (limit ${seconds(MAX_CLOCK_SKEW_MS)})`;
  return pass('clock', TITLE, detail, data);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
