import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { createRedisAuth } from '@authx/redis-auth';
import { createCluster } from 'redis';
import { startTarget } from './target';
import { runTraffic } from './traffic';

/** How long the scenario runs, in seconds (EXAMPLE_DURATION_SEC overrides). */
const DURATION_SEC = Number(process.env.EXAMPLE_DURATION_SEC ?? 8);
/** Re-authentications every node connection must show in the emulator run. */
const MIN_EMULATOR_REAUTHS_PER_NODE = 2;
const CHANNEL = 'example:events';

async function main(): Promise<boolean> {
  const target = await startTarget(process.env);
  console.log(`mode: ${target.mode}, seed nodes: ${target.rootNodes.map((n) => n.url).join(', ')}`);
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentials(target.providerParams);
  let tokens = 0;
  provider.events.on('tokenAcquired', () => {
    tokens++;
    console.log(`token #${tokens} acquired`);
  });

  // The cluster creates a client per node (and for pub/sub): every one takes credentials from the binding.
  const auth = createRedisAuth(provider);
  const cluster = auth.bind(createCluster({ rootNodes: target.rootNodes, defaults: { credentialsProvider: auth } }));
  cluster.on('error', (error: Error) => console.log(`cluster error: ${error.message}`));
  const reauthsByConnection = new Map<string, number>();
  auth.events.on('reauthenticated', ({ connection, via }) => {
    if (via === 'auth') reauthsByConnection.set(connection, (reauthsByConnection.get(connection) ?? 0) + 1);
  });
  auth.events.on('credentialsUpdated', ({ generation, connections }) =>
    console.log(`credentials #${generation}: re-authenticating ${connections} connections`),
  );
  auth.events.on('reauthFailed', ({ connection, error }) => console.log(`${connection} re-auth failed: ${error.code}`));

  try {
    await cluster.connect();
    console.log(`connected to ${cluster.masters.length} masters`);
    // The cluster's pub/sub connection is a client of its own: the binding re-authenticates it too.
    let received = 0;
    await cluster.subscribe(CHANNEL, () => received++);
    const traffic = await runTraffic(cluster, CHANNEL, DURATION_SEC * 1000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last messages arrive
    for (const [connection, count] of reauthsByConnection) console.log(`${connection}: ${count} re-authentications`);
    const stats = target.gatewayStats();
    console.log(
      `tokens acquired: ${tokens}, commands ok: ${traffic.ok}, failed: ${traffic.failed}, ` +
        `messages received: ${received}/${traffic.published}` +
        (stats ? `, gateway evictions: ${stats.evicted}` : ''),
    );
    const nodesRotated =
      target.mode === 'azure' ||
      (reauthsByConnection.size >= cluster.masters.length &&
        [...reauthsByConnection.values()].every((count) => count >= MIN_EMULATOR_REAUTHS_PER_NODE));
    return (
      traffic.failed === 0 &&
      traffic.ok > 0 &&
      received === traffic.published &&
      nodesRotated &&
      (stats?.evicted ?? 0) === 0
    );
  } finally {
    await cluster.close().catch(() => cluster.destroy());
    auth.dispose();
    provider.dispose();
    await target.stop();
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
