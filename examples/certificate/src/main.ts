import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { bindCredentials } from '@authx/redis-auth';
import { createClient } from 'redis';
import { startTarget } from './target';
import { runTraffic } from './traffic';

/** How long the scenario runs, in seconds (EXAMPLE_DURATION_SEC overrides). */
const DURATION_SEC = Number(process.env.EXAMPLE_DURATION_SEC ?? 8);
/** Token refreshes the emulator run must show: the first token plus at least two rotations. */
const MIN_EMULATOR_TOKENS = 3;

async function main(): Promise<boolean> {
  const target = await startTarget(process.env);
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}`);
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate(target.providerParams);
  let tokens = 0;
  provider.events.on('tokenAcquired', ({ expiresAtMs, receivedAtMs }) => {
    tokens++;
    console.log(`token #${tokens} acquired, valid for ${((expiresAtMs - receivedAtMs) / 1000).toFixed(1)} s`);
  });
  provider.events.on('refreshFailed', ({ attempt, error }) =>
    console.log(`token refresh attempt ${attempt} failed: ${(error as Error).name}`),
  );

  const client = createClient({ url: target.redisUrl });
  client.on('error', (error: Error) => console.log(`client error: ${error.message}`));
  const auth = bindCredentials(client, provider);
  let reauths = 0;
  auth.events.on('reauthenticated', ({ connection, generation, via }) => {
    if (via === 'auth') reauths++;
    console.log(`${connection} re-authenticated with credentials #${generation} (${via})`);
  });
  auth.events.on('reauthFailed', ({ connection, error }) => console.log(`${connection} re-auth failed: ${error.code}`));

  try {
    await client.connect();
    console.log(`connected as ${await whoAmI(client)}`);
    const traffic = await runTraffic(client, DURATION_SEC * 1000);
    const stats = target.gatewayStats();
    console.log(
      `tokens acquired: ${tokens}, re-authentications: ${reauths}, commands ok: ${traffic.ok}, failed: ${traffic.failed}` +
        (stats ? `, gateway evictions: ${stats.evicted}` : ''),
    );
    const enoughRotations = target.mode === 'azure' || tokens >= MIN_EMULATOR_TOKENS;
    return traffic.failed === 0 && traffic.ok > 0 && enoughRotations && (stats?.evicted ?? 0) === 0;
  } finally {
    await client.close().catch(() => client.destroy());
    auth.dispose();
    provider.dispose();
    await target.stop();
  }
}

/** The ACL user the connection runs as (the token's `oid`); Azure may not allow ACL WHOAMI. */
async function whoAmI(client: ReturnType<typeof createClient>): Promise<string> {
  try {
    return String(await client.sendCommand(['ACL', 'WHOAMI']));
  } catch {
    return 'the service principal (ACL WHOAMI not available)';
  }
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
