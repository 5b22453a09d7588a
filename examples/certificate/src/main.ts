import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { bindCredentials } from '@authx/redis-auth';
import { createClient } from 'redis';
import { startTarget, type Target } from './target';
import { runTraffic } from './traffic';

/** How long the scenario runs, in seconds (EXAMPLE_DURATION_SEC overrides). */
const DURATION_SEC = Number(process.env.EXAMPLE_DURATION_SEC ?? 8);
/** Token refreshes the emulator run must show: the first token plus at least two rotations. */
const MIN_EMULATOR_TOKENS = 3;

async function main(): Promise<boolean> {
  const target = await startTarget(process.env);
  try {
    return await runScenario(target);
  } finally {
    await target.stop();
  }
}

async function runScenario(target: Target): Promise<boolean> {
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}`);
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentialsWithCertificate(
    target.providerParams,
  );
  let tokens = 0;
  provider.events.on('tokenAcquired', ({ expiresAtMs, receivedAtMs }) => {
    tokens++;
    console.log(`token #${tokens} acquired, valid for ${((expiresAtMs - receivedAtMs) / 1000).toFixed(1)} s`);
  });
  provider.events.on('refreshFailed', ({ attempt, error }) =>
    console.log(`token refresh attempt ${attempt} failed: ${(error as Error).name}`),
  );

  const client = createClient({ url: target.redisUrl, socket: { reconnectStrategy } });
  client.on('error', (error: Error) => console.log(`client error: ${error.message}`));
  const auth = bindCredentials(client, provider);
  let reauths = 0;
  auth.events.on('reauthenticated', ({ connection, generation, via }) => {
    if (via === 'auth') reauths++;
    console.log(`${connection} re-authenticated with credentials #${generation} (${via})`);
  });
  auth.events.on('reauthFailed', ({ connection, error }) =>
    console.log(`${connection} re-auth failed: ${error.code}`),
  );

  try {
    await client.connect();
    console.log(`connected as ${await whoAmI(client)}`);
    const traffic = await runTraffic(client, DURATION_SEC * 1000);
    const stats = target.gatewayStats();
    console.log(
      `tokens acquired: ${tokens}, re-authentications: ${reauths}, commands ok: ${traffic.ok}, failed: ${traffic.failed}` +
        (stats ? `, gateway evictions: ${stats.evicted}` : ''),
    );
    return allMet({
      'no command failed': traffic.failed === 0,
      'commands ran': traffic.ok > 0,
      [`at least ${MIN_EMULATOR_TOKENS} tokens (emulator)`]:
        target.mode === 'azure' || tokens >= MIN_EMULATOR_TOKENS,
      'no connection evicted': (stats?.evicted ?? 0) === 0,
    });
  } finally {
    await closeClient(client);
    auth.dispose();
    provider.dispose();
  }
}

/** The ACL user the connection runs as (the token's `oid`); Azure may not allow ACL WHOAMI. */
async function whoAmI(client: { sendCommand(args: string[]): Promise<unknown> }): Promise<string> {
  try {
    return String(await client.sendCommand(['ACL', 'WHOAMI']));
  } catch {
    return 'the service principal (ACL WHOAMI not available)';
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
