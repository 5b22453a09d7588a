import { type AuthOkEvent, type EntraEmulator, type RedisGateway, startRedisGateway } from '@authx/emulator';
import { createClient } from 'redis';
import type { EntraidCredentialsProvider } from '../../src';
import { SHORT_TOKEN_LIFETIME_SEC } from './emulator';
import { waitFor } from './subscribe';

/**
 * Starts a token-checking gateway (with its own redis-server) trusting the emulator's keys, for a
 * cache in the emulator's tenant whose access list gives Data Owner to every principal registered
 * so far (as `startEmulator` does).
 */
export function startGatewayFor(emulator: EntraEmulator): Promise<RedisGateway> {
  return startRedisGateway({
    jwks: () => emulator.jwks(),
    tenants: [emulator.tenantId],
    accessPolicyAssignments: emulator
      .principals()
      .map((principal) => ({ objectId: principal.objectId, accessPolicyName: 'Data Owner' })),
  });
}

/** What a rotation run observed. */
export interface RotationOutcome {
  /** Tokens the provider obtained (first one included). */
  tokensAcquired: number;
  /** Commands that succeeded / failed. */
  commandsOk: number;
  commandsFailed: number;
  /** Accepted AUTH/HELLO on the gateway during the run. */
  authOk: number;
  /** Connections the gateway closed during the run. */
  evictions: number;
  /** Client `error` events. */
  clientErrors: Error[];
  /** Redis usernames the gateway saw (object ids). */
  identities: string[];
  /**
   * For each renewal on a connection (a newer token accepted where an older one was in effect):
   * how long before the older token's expiry (the gateway's, from its `exp`) it happened, in ms.
   */
  renewalMarginsMs: number[];
  /** Renewals that came with less than {@link MIN_RENEWAL_MARGIN_SHARE} of the lifetime left. */
  lateRenewals: Array<{ connectionId: number; marginMs: number }>;
  /** AUTHs that sent a connection the token it already had (the gateway's token id, `uti`). */
  repeatedAuths: number;
  /** Refreshes that returned the token already held (`tokenUnchanged`). */
  tokenRepeats: number;
}

/**
 * Azure asks for a new token at least 3 minutes before the old one expires; scaled to short test
 * tokens (3 of 20 minutes) every connection must hold a newer one with 15 % of the lifetime left.
 */
export const MIN_RENEWAL_MARGIN_SHARE = 0.15;

/** What a rotation outcome must show about renewals: in time, and never the same token twice. */
export const RENEWED_IN_TIME = { lateRenewals: [], repeatedAuths: 0 } as const;

/**
 * Connects plain node-redis through the gateway with `provider`, runs commands continuously until
 * the provider has rotated its token `rotations` times, then closes the client and disposes the provider.
 */
export async function runThroughRotations(
  provider: EntraidCredentialsProvider,
  gateway: RedisGateway,
  {
    RESP,
    rotations = 3,
    timeoutMs = 20_000,
    lifetimeMs = SHORT_TOKEN_LIFETIME_SEC * 1000,
  }: { RESP: 2 | 3; rotations?: number; timeoutMs?: number; lifetimeMs?: number },
): Promise<RotationOutcome> {
  const before = gateway.stats();
  const identities = new Set<string>();
  const auths = new Map<number, Array<{ atMs: number; tokenExpiresAtMs: number; tokenId: unknown }>>();
  const onAuth = ({ identity, connectionId, tokenExpiresAtMs, tokenId }: AuthOkEvent) => {
    identities.add(identity);
    const list = auths.get(connectionId) ?? [];
    list.push({ atMs: Date.now(), tokenExpiresAtMs, tokenId: tokenId ?? tokenExpiresAtMs });
    auths.set(connectionId, list);
  };
  gateway.on('authOk', onAuth);
  let tokensAcquired = 0;
  const acquired = provider.events.on('tokenAcquired', () => {
    tokensAcquired++;
  });
  let tokenRepeats = 0;
  const repeated = provider.events.on('tokenUnchanged', () => {
    tokenRepeats++;
  });
  const clientErrors: Error[] = [];
  const client = createClient({ url: gateway.url, RESP, credentialsProvider: provider });
  client.on('error', (error: Error) => clientErrors.push(error));
  let commandsOk = 0;
  let commandsFailed = 0;
  try {
    await client.connect();
    const key = `rotation:${RESP}:${process.pid}:${Math.random()}`;
    let running = true;
    const loop = (async () => {
      for (let i = 0; running; i++) {
        try {
          await client.set(key, String(i));
          if ((await client.get(key)) !== String(i)) throw new Error('read back a different value');
          commandsOk++;
        } catch {
          commandsFailed++;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    await waitFor(
      () => tokensAcquired >= rotations + 1 && gateway.stats().authOk - before.authOk >= rotations + 1,
      timeoutMs,
      `${rotations} rotations`,
    );
    running = false;
    await loop;
    await client.del(key);
  } finally {
    if (client.isOpen) await client.close();
    acquired.dispose();
    repeated.dispose();
    gateway.off('authOk', onAuth);
    provider.dispose();
  }
  const after = gateway.stats();
  const renewalMarginsMs: number[] = [];
  const lateRenewals: RotationOutcome['lateRenewals'] = [];
  let repeatedAuths = 0;
  for (const [connectionId, list] of auths) {
    for (let i = 1; i < list.length; i++) {
      const [held, next] = [list[i - 1], list[i]];
      if (next.tokenId === held.tokenId) {
        repeatedAuths++;
        continue;
      }
      const marginMs = held.tokenExpiresAtMs - next.atMs;
      renewalMarginsMs.push(marginMs);
      if (marginMs < MIN_RENEWAL_MARGIN_SHARE * lifetimeMs) lateRenewals.push({ connectionId, marginMs });
    }
  }
  return {
    renewalMarginsMs,
    lateRenewals,
    repeatedAuths,
    tokenRepeats,
    tokensAcquired,
    commandsOk,
    commandsFailed,
    authOk: after.authOk - before.authOk,
    evictions: after.evicted - before.evicted,
    clientErrors,
    identities: [...identities],
  };
}
