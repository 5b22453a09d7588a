import { bindCredentials } from '@authx/redis-auth';
import { StreamingCredentialsProvider } from '@authx/token-core';
import { createClient } from 'redis';
import { startTarget, type Target } from './target';
import { runTraffic } from './traffic';
import { VaultIdentityProvider, type VaultLease } from './vault-identity-provider';

/** How long the scenario runs, in seconds (EXAMPLE_DURATION_SEC overrides). */
const DURATION_SEC = Number(process.env.EXAMPLE_DURATION_SEC ?? 8);
/** Leases the local run must show: the first plus at least two rotations. */
const MIN_LOCAL_LEASES = 3;

async function main(): Promise<boolean> {
  const target = await startTarget(process.env);
  try {
    return await runScenario(target);
  } finally {
    await target.stop();
  }
}

async function runScenario(target: Target): Promise<boolean> {
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}, vault: ${target.vaultUrl}`);

  const identityProvider = new VaultIdentityProvider(target.vaultUrl);
  const provider = new StreamingCredentialsProvider<VaultLease>({
    identityProvider,
    credentialsMapper: (token) => ({ username: token.value.username, password: token.value.password }),
  });
  let leases = 0;
  provider.events.on('tokenAcquired', ({ expiresAtMs, refreshAtMs }) => {
    leases++;
    const now = Date.now();
    console.log(
      `lease #${leases}: valid for ${((expiresAtMs - now) / 1000).toFixed(1)} s, renewed in ${((refreshAtMs - now) / 1000).toFixed(1)} s`,
    );
  });
  provider.events.on('refreshFailed', ({ attempt, error }) =>
    console.log(`lease attempt ${attempt} failed: ${(error as Error).message}`),
  );

  const client = createClient({ url: target.redisUrl, socket: { reconnectStrategy } });
  client.on('error', (error: Error) => console.log(`client error: ${error.message}`));
  // Passwords are not JWTs: tell the binding when each one stops working.
  const auth = bindCredentials(client, provider, {
    expiresAtMs: (credentials) => identityProvider.expiresAtMs(credentials.password),
  });
  let reauths = 0;
  auth.events.on('reauthenticated', ({ connection, generation, via }) => {
    if (via === 'auth') reauths++;
    console.log(`${connection} re-authenticated with lease #${generation} (${via})`);
  });
  auth.events.on('reauthFailed', ({ connection, error }) =>
    console.log(`${connection} re-auth failed: ${error.code}`),
  );

  try {
    await client.connect();
    console.log(`connected as ${String(await client.sendCommand(['ACL', 'WHOAMI']))}`);
    const firstLease = provider.getCurrentToken()!.value;
    const traffic = await runTraffic(client, DURATION_SEC * 1000);
    const counts = target.vaultCounts();
    console.log(
      `leases: ${leases}, re-authentications: ${reauths}, commands ok: ${traffic.ok}, failed: ${traffic.failed}` +
        (counts ? `, passwords revoked by the vault: ${counts.revoked}` : ''),
    );
    const revokedRefused = await isRefused(target.redisUrl, firstLease);
    console.log(`the first (expired) password is ${revokedRefused ? 'refused' : 'STILL ACCEPTED'} by Redis`);
    return allMet({
      'no command failed': traffic.failed === 0,
      'commands ran': traffic.ok > 0,
      [`at least ${MIN_LOCAL_LEASES} leases (local)`]:
        target.mode === 'external' || leases >= MIN_LOCAL_LEASES,
      'the revoked password is refused': revokedRefused,
    });
  } finally {
    await closeClient(client);
    auth.dispose();
    provider.dispose();
  }
}

/** Whether a fresh connection with these credentials is refused (WRONGPASS). */
async function isRefused(url: string, lease: VaultLease): Promise<boolean> {
  const probe = createClient({
    url,
    username: lease.username,
    password: lease.password,
    socket: { reconnectStrategy: false },
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.close();
    return false;
  } catch (error) {
    probe.destroy();
    return /WRONGPASS/.test((error as Error).message);
  }
}

/** Reconnect quickly, but give up after ~10 s without Redis, so that the example ends instead of waiting forever. */
function reconnectStrategy(retries: number): number | Error {
  return retries < 12 ? Math.min(50 * 2 ** retries, 1000) : new Error('Redis is unreachable');
}

/** Closes a client (or cluster) that may never have connected, or may have given up reconnecting. */
async function closeClient(client: {
  isOpen: boolean;
  close(): Promise<unknown>;
  destroy(): unknown;
}): Promise<void> {
  if (!client.isOpen) return;
  try {
    await client.close();
  } catch {
    if (client.isOpen) client.destroy();
  }
}

/** Prints each unmet expectation; true when all are met. */
function allMet(expectations: Record<string, boolean>): boolean {
  const unmet = Object.keys(expectations).filter((name) => !expectations[name]);
  for (const name of unmet) console.log(`not met: ${name}`);
  return unmet.length === 0;
}

main().then(
  (ok) => {
    console.log(ok ? 'result: ok' : 'result: FAILED');
    process.exitCode = ok ? 0 : 1;
  },
  (error: unknown) => {
    console.error('result: FAILED', error);
    process.exitCode = 1;
  },
);
