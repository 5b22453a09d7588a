import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { createRedisAuth } from '@authx/redis-auth';
import { createCluster } from 'redis';
import { startTarget, type Target } from './target';
import { runTraffic } from './traffic';

/** How long the scenario runs, in seconds (EXAMPLE_DURATION_SEC overrides). */
const DURATION_SEC = Number(process.env.EXAMPLE_DURATION_SEC ?? 8);
/** Re-authentications every node connection must show in the emulator run. */
const MIN_EMULATOR_REAUTHS_PER_NODE = 2;
const CHANNEL = 'example:events';

async function main(): Promise<boolean> {
  const target = await startTarget(process.env);
  try {
    return await runScenario(target);
  } finally {
    await target.stop();
  }
}

async function runScenario(target: Target): Promise<boolean> {
  console.log(`mode: ${target.mode}, seed nodes: ${target.rootNodes.map((n) => n.url).join(', ')}`);
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentials(target.providerParams);
  let tokens = 0;
  provider.events.on('tokenAcquired', () => {
    tokens++;
    console.log(`token #${tokens} acquired`);
  });

  // The cluster creates a client per node (and for pub/sub): every one takes credentials from the binding.
  const auth = createRedisAuth(provider);
  const cluster = auth.bind(
    createCluster({
      rootNodes: target.rootNodes,
      defaults: { credentialsProvider: auth, socket: { reconnectStrategy } },
    }),
  );
  cluster.on('error', (error: Error) => console.log(`cluster error: ${error.message}`));
  const reauthsByConnection = new Map<string, number>();
  auth.events.on('reauthenticated', ({ connection, via }) => {
    if (via === 'auth') reauthsByConnection.set(connection, (reauthsByConnection.get(connection) ?? 0) + 1);
  });
  auth.events.on('credentialsUpdated', ({ generation, connections }) =>
    console.log(`credentials #${generation}: re-authenticating ${connections} connections`),
  );
  auth.events.on('reauthFailed', ({ connection, error }) =>
    console.log(`${connection} re-auth failed: ${error.code}`),
  );

  try {
    await cluster.connect();
    console.log(`connected to ${cluster.masters.length} masters`);
    // The cluster's pub/sub connection is a client of its own: the binding re-authenticates it too.
    let received = 0;
    await cluster.subscribe(CHANNEL, () => received++);
    const traffic = await runTraffic(cluster, CHANNEL, DURATION_SEC * 1000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last messages arrive
    for (const [connection, count] of reauthsByConnection)
      console.log(`${connection}: ${count} re-authentications`);
    const stats = target.gatewayStats();
    console.log(
      `tokens acquired: ${tokens}, commands ok: ${traffic.ok}, failed: ${traffic.failed}, ` +
        `messages received: ${received}/${traffic.published}` +
        (stats ? `, gateway evictions: ${stats.evicted}` : ''),
    );
    const everyNodeRotated =
      reauthsByConnection.size >= cluster.masters.length &&
      [...reauthsByConnection.values()].every((count) => count >= MIN_EMULATOR_REAUTHS_PER_NODE);
    return allMet({
      'no command failed': traffic.failed === 0,
      'commands ran': traffic.ok > 0,
      'every published message received': received === traffic.published,
      [`every connection re-authenticated at least ${MIN_EMULATOR_REAUTHS_PER_NODE} times (emulator)`]:
        target.mode === 'azure' || everyNodeRotated,
      'no connection evicted': (stats?.evicted ?? 0) === 0,
    });
  } finally {
    await closeClient(cluster);
    auth.dispose();
    provider.dispose();
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
