import { type EntraEmulator, type RedisGateway, startRedisGateway } from '@authx/emulator';
import { createClient } from 'redis';
import type { EntraidCredentialsProvider } from '../../src';
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
}

/**
 * Connects plain node-redis through the gateway with `provider`, runs commands continuously until
 * the provider has rotated its token `rotations` times, then closes the client and disposes the provider.
 */
export async function runThroughRotations(
  provider: EntraidCredentialsProvider,
  gateway: RedisGateway,
  { RESP, rotations = 3, timeoutMs = 20_000 }: { RESP: 2 | 3; rotations?: number; timeoutMs?: number },
): Promise<RotationOutcome> {
  const before = gateway.stats();
  const identities = new Set<string>();
  const onAuth = ({ identity }: { identity: string }) => identities.add(identity);
  gateway.on('authOk', onAuth);
  let tokensAcquired = 0;
  const acquired = provider.events.on('tokenAcquired', () => {
    tokensAcquired++;
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
    gateway.off('authOk', onAuth);
    provider.dispose();
  }
  const after = gateway.stats();
  return {
    tokensAcquired,
    commandsOk,
    commandsFailed,
    authOk: after.authOk - before.authOk,
    evictions: after.evicted - before.evicted,
    clientErrors,
    identities: [...identities],
  };
}
