import { bindCredentials } from '@authx/redis-auth';
import { StreamingCredentialsProvider } from '@authx/token-core';
import {
  allMet,
  closeClient,
  durationSec,
  logReauths,
  reconnectStrategy,
  runMain,
  runTraffic,
  withTarget,
} from '@example/kit';
import { createClient } from 'redis';
import { startTarget, type Target } from './target';
import { VaultIdentityProvider, type VaultLease } from './vault-identity-provider';

/** Leases the local run must show: the first plus at least two rotations. */
const MIN_LOCAL_LEASES = 3;

async function runScenario(target: Target): Promise<boolean> {
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}, vault: ${target.vaultUrl}`);

  // The flow: no Azure. The identity provider leases a Redis user + password from the vault;
  // token-core's StreamingCredentialsProvider renews each lease before it expires.
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
  const reauths = logReauths(auth, { credentials: 'lease' });

  try {
    await client.connect();
    console.log(`connected as ${String(await client.sendCommand(['ACL', 'WHOAMI']))}`);
    const firstLease = provider.getCurrentToken()!.value;
    const traffic = await runTraffic(client, durationSec() * 1000);
    const counts = target.vaultCounts();
    console.log(
      `leases: ${leases}, re-authentications: ${reauths.count}, commands ok: ${traffic.ok}, failed: ${traffic.failed}` +
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

runMain(() => withTarget(() => startTarget(process.env), runScenario));
