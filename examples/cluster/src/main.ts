import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { createRedisAuth } from '@authx/redis-auth';
import {
  allMet,
  type ClientSecretTarget,
  closeClient,
  durationSec,
  logReauths,
  logTokens,
  reconnectStrategy,
  runMain,
  runTraffic,
  startClientSecretTarget,
  withTarget,
} from '@example/kit';
import { createCluster } from 'redis';

/** Re-authentications every node connection must show in the emulator run. */
const MIN_EMULATOR_REAUTHS_PER_NODE = 2;
const CHANNEL = 'example:events';
/** Keys spread over every hash slot range, so that every master serves some. */
const KEY_COUNT = 30;

async function runScenario(target: ClientSecretTarget): Promise<boolean> {
  console.log(`mode: ${target.mode}, seed nodes: ${target.rootNodes.map((n) => n.url).join(', ')}`);
  // The flow: a service principal's client secret buys Entra ID tokens, refreshed before they expire.
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentials(target.providerParams);
  const tokens = logTokens(provider);

  // The cluster creates a client per node (and for pub/sub): every one takes credentials from the binding.
  const auth = createRedisAuth(provider);
  const cluster = auth.bind(
    createCluster({
      rootNodes: target.rootNodes,
      defaults: { credentialsProvider: auth, socket: { reconnectStrategy } },
    }),
  );
  cluster.on('error', (error: Error) => console.log(`cluster error: ${error.message}`));
  const reauths = logReauths(auth, { logEach: false });
  auth.events.on('credentialsUpdated', ({ generation, connections }) =>
    console.log(`credentials #${generation}: re-authenticating ${connections} connections`),
  );

  try {
    await cluster.connect();
    console.log(`connected to ${cluster.masters.length} masters`);
    // The cluster's pub/sub connection is a client of its own: the binding re-authenticates it too.
    let received = 0;
    await cluster.subscribe(CHANNEL, () => received++);
    const traffic = await runTraffic(cluster, durationSec() * 1000, {
      intervalMs: 25,
      keyCount: KEY_COUNT,
      channel: CHANNEL,
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the last messages arrive
    for (const [connection, count] of reauths.byConnection)
      console.log(`${connection}: ${count} re-authentications`);
    const stats = target.gatewayStats();
    console.log(
      `tokens acquired: ${tokens.count}, commands ok: ${traffic.ok}, failed: ${traffic.failed}, ` +
        `messages received: ${received}/${traffic.published}` +
        (stats ? `, gateway evictions: ${stats.evicted}` : ''),
    );
    const everyNodeRotated =
      reauths.byConnection.size >= cluster.masters.length &&
      [...reauths.byConnection.values()].every((count) => count >= MIN_EMULATOR_REAUTHS_PER_NODE);
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

runMain(() => withTarget(() => startClientSecretTarget(process.env, { cluster: true }), runScenario));
