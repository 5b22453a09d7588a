import { setTimeout as sleep } from 'node:timers/promises';
import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { createRedisAuth } from '@authx/redis-auth';
import {
  allMet,
  type ClientSecretTarget,
  closeClient,
  durationSec,
  logTokens,
  reconnectStrategy,
  runMain,
  startClientSecretTarget,
  withTarget,
} from '@example/kit';
import { createClient } from 'redis';
import { NumberedMessages } from './numbered-messages';

/** One message every this many milliseconds. */
const PUBLISH_INTERVAL_MS = 10;
/** Subscriber rotations the emulator run must show. */
const MIN_EMULATOR_ROTATIONS = 2;
const CHANNEL = 'example:numbers';

async function runScenario(target: ClientSecretTarget): Promise<boolean> {
  console.log(`mode: ${target.mode}, redis: ${target.redisUrl}`);
  // The flow: a client secret, as in the service-principal example; this one is about the binding below.
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentials(target.providerParams);
  const tokens = logTokens(provider, { logEach: false });

  // One binding (one provider subscription) for both connections.
  const auth = createRedisAuth(provider);
  // RESP2: a subscribed connection cannot send AUTH, so the binding rotates it make-before-break.
  const subscriber = auth.bind(
    createClient({ url: target.redisUrl, RESP: 2, socket: { reconnectStrategy } }),
    { label: 'subscriber' },
  );
  const publisher = auth.bind(
    createClient({ url: target.redisUrl, RESP: 2, socket: { reconnectStrategy } }),
    { label: 'publisher' },
  );
  for (const client of [subscriber, publisher]) {
    client.on('error', (error: Error) => console.log(`client error: ${error.message}`));
  }
  let rotations = 0;
  auth.events.on('pubsubRotated', ({ connection, generation, bridged }) => {
    rotations++;
    console.log(
      `${connection} rotated onto credentials #${generation} (bridged: ${bridged}, delivered at least once)`,
    );
  });
  auth.events.on('reauthenticated', ({ connection, generation, via }) => {
    if (via === 'auth') console.log(`${connection} re-authenticated with credentials #${generation}`);
  });
  auth.events.on('reauthFailed', ({ connection, error }) =>
    console.log(`${connection} re-auth failed: ${error.code}`),
  );

  const messages = new NumberedMessages();
  try {
    await Promise.all([subscriber.connect(), publisher.connect()]);
    await subscriber.subscribe(CHANNEL, messages.onMessage);
    console.log(
      `subscribed to ${CHANNEL} over RESP2; publishing a numbered message every ${PUBLISH_INTERVAL_MS} ms`,
    );
    let published = 0;
    let publishFailed = 0;
    const endAtMs = Date.now() + durationSec() * 1000;
    while (Date.now() < endAtMs) {
      try {
        await publisher.publish(CHANNEL, String(published));
        published++;
      } catch (error) {
        publishFailed++;
        console.log(`publish failed: ${(error as Error).message}`);
      }
      await sleep(PUBLISH_INTERVAL_MS);
    }
    await sleep(500); // let the last messages arrive
    const report = messages.report(published);
    const stats = target.gatewayStats();
    console.log(
      `tokens acquired: ${tokens.count}, subscriber rotations: ${rotations}, published: ${report.published}, ` +
        `received: ${report.received}, lost: ${report.lost}, duplicates: ${report.duplicates}, ` +
        `out of order: ${report.outOfOrder}, publish failures: ${publishFailed}` +
        (stats ? `, gateway evictions: ${stats.evicted}` : ''),
    );
    return allMet({
      'no message lost': report.lost === 0,
      'messages published': published > 0,
      'no publish failed': publishFailed === 0,
      [`at least ${MIN_EMULATOR_ROTATIONS} subscriber rotations (emulator)`]:
        target.mode === 'azure' || rotations >= MIN_EMULATOR_ROTATIONS,
      'no connection evicted': (stats?.evicted ?? 0) === 0,
    });
  } finally {
    await Promise.all([subscriber, publisher].map(closeClient));
    auth.dispose();
    provider.dispose();
  }
}

runMain(() => withTarget(() => startClientSecretTarget(process.env), runScenario));
