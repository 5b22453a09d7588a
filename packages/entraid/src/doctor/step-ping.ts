import { computeRefreshAtMs, DEFAULT_TOKEN_MANAGER_CONFIG } from '@authx/token-core';
import { RespConnectionError, type RespConnection } from './resp-connection';
import type { TokenOutcome } from './step-token';
import { type DoctorConfig, fail, pass, type StepResult } from './types';

const TITLE = 'PING and refresh plan';

/** When a token would be refreshed with the default TokenManagerConfig: the jitter's bounds. */
export interface RefreshPlan {
  /** Token lifetime as seen locally, ms. */
  lifetimeMs: number;
  expiresAtMs: number;
  /** Earliest refresh (full jitter) and latest (no jitter), epoch ms. */
  earliestRefreshAtMs: number;
  latestRefreshAtMs: number;
}

/** The default refresh plan for a token received at `receivedAtMs` that expires at `expiresAtMs`. */
export function refreshPlan(receivedAtMs: number, expiresAtMs: number): RefreshPlan {
  const token = { receivedAtMs, expiresAtMs };
  return {
    lifetimeMs: expiresAtMs - receivedAtMs,
    expiresAtMs,
    earliestRefreshAtMs: computeRefreshAtMs(token, DEFAULT_TOKEN_MANAGER_CONFIG, () => 1 - Number.EPSILON),
    latestRefreshAtMs: computeRefreshAtMs(token, DEFAULT_TOKEN_MANAGER_CONFIG, () => 0),
  };
}

/** Step 6: PING on the authenticated connection, then the refresh plan for this token. */
export async function checkPingAndPlan(
  config: DoctorConfig,
  connection: RespConnection,
  token: TokenOutcome,
  now: () => number,
): Promise<StepResult> {
  let reply: string;
  try {
    reply = await connection.command(['PING'], config.timeoutMs);
  } catch (error) {
    reply = `(${error instanceof RespConnectionError ? error.code : 'error'})`;
  }
  if (reply !== '+PONG') {
    return fail('ping', TITLE, {
      code: reply.startsWith('-NOPERM') ? 'PING_NOPERM' : 'PING_FAILED',
      detail: `PING → ${reply.replace(/^[-+]/, '')}`,
      cause: reply.startsWith('-NOPERM')
        ? "the identity's access policy does not allow PING"
        : 'the authenticated connection did not answer PING',
      fix: reply.startsWith('-NOPERM')
        ? 'assign an access policy that includes @connection commands (Data Owner, Data Contributor or Data Reader)'
        : 'check the cache health in the Azure portal',
    });
  }
  const receivedAtMs = token.receivedAtMs ?? now();
  const expiresAtMs = token.expiresAtMs ?? (token.claims?.exp ?? 0) * 1000;
  const plan = refreshPlan(receivedAtMs, expiresAtMs);
  const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
  return pass(
    'ping',
    TITLE,
    `PONG; token lifetime ${minutes(plan.lifetimeMs)}, refreshed between ${clock(plan.earliestRefreshAtMs)} and ${clock(plan.latestRefreshAtMs)} UTC, at least ${minutes(expiresAtMs - plan.latestRefreshAtMs)} before expiry at ${clock(expiresAtMs)}, with the default refresh settings`,
    { ...plan },
  );
}
