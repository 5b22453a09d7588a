import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import { createIoredisAuth } from '@authx/ioredis';
import {
  allMet,
  type ClientSecretTarget,
  durationSec,
  logTokens,
  runMain,
  startClientSecretTarget,
  withTarget,
} from '@example/kit';
import { Queue, QueueEvents, Worker } from 'bullmq';
import Redis from 'ioredis';

const QUEUE = 'example-jobs';
/** A job every this many milliseconds. */
const JOB_INTERVAL_MS = 20;
/** Token refreshes the emulator run must see while jobs flow (3 s tokens). */
const MIN_EMULATOR_ROTATIONS = 2;

async function runScenario(target: ClientSecretTarget): Promise<boolean> {
  console.log(`mode: ${target.mode}`);
  // The flow: a service principal's client secret buys Entra ID tokens, refreshed before they expire.
  const provider = EntraIdCredentialsProviderFactory.createForClientCredentials(target.providerParams);
  const tokens = logTokens(provider, { logEach: false });

  // One ioredis connection, bound before it connects. BullMQ opens its blocking connections
  // (the worker's, QueueEvents') with duplicate(): the binding binds every duplicate too.
  const auth = createIoredisAuth(provider);
  const connection = auth.bind(
    new Redis(target.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null }),
    { label: 'app' },
  );
  connection.on('error', (error: Error) => console.log(`redis error: ${error.message}`));
  const reauths = new Map<string, number>();
  let reauthFailures = 0;
  auth.events.on('reauthenticated', ({ connection: label, via }) => {
    if (via !== 'handshake') reauths.set(label, (reauths.get(label) ?? 0) + 1);
  });
  auth.events.on('reauthFailed', ({ connection: label, error }) => {
    reauthFailures++;
    console.log(`${label} re-auth failed: ${error.code}`);
  });
  auth.events.on('credentialsUpdated', ({ generation, connections }) =>
    console.log(`credentials #${generation}: re-authenticating ${connections} connections`),
  );

  const queue = new Queue(QUEUE, { connection });
  const events = new QueueEvents(QUEUE, { connection });
  let processed = 0;
  const worker = new Worker(
    QUEUE,
    async (job) => {
      processed++;
      return (job.data as { n: number }).n * 2;
    },
    { connection, concurrency: 4 },
  );
  let failed = 0;
  let completedEvents = 0;
  worker.on('failed', (_job, error) => {
    failed++;
    console.log(`job failed: ${error.message}`);
  });
  worker.on('error', (error) => console.log(`worker error: ${error.message}`));
  events.on('completed', () => completedEvents++);
  events.on('error', (error) => console.log(`queue events error: ${error.message}`));

  try {
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady(), events.waitUntilReady()]);
    const evictedBefore = target.gatewayStats()?.evicted ?? 0;
    const tokensBefore = tokens.count;
    let added = 0;
    let addFailed = 0;
    const deadline = Date.now() + durationSec() * 1000;
    while (Date.now() < deadline) {
      await queue.add('double', { n: added }).then(
        () => added++,
        () => addFailed++,
      );
      await new Promise((resolve) => setTimeout(resolve, JOB_INTERVAL_MS));
    }
    const settleBy = Date.now() + 5000;
    while ((processed < added || completedEvents < added) && Date.now() < settleBy) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active');
    for (const [label, count] of [...reauths].sort()) console.log(`${label}: ${count} re-authentications`);
    const stats = target.gatewayStats();
    const rotations = tokens.count - tokensBefore;
    console.log(
      `tokens acquired: ${tokens.count} (${rotations} during the run), jobs added: ${added}, processed: ${processed}, ` +
        `completed (QueueEvents): ${completedEvents}, failed: ${failed + counts.failed}` +
        (stats ? `, gateway evictions: ${stats.evicted - evictedBefore}` : ''),
    );
    return allMet({
      'jobs ran': added > 0,
      'no job failed': failed === 0 && counts.failed === 0 && addFailed === 0,
      'every job processed': processed === added && counts.completed === added,
      'QueueEvents saw every completion': completedEvents === added,
      [`at least ${MIN_EMULATOR_ROTATIONS} token rotations while jobs flowed (emulator)`]:
        target.mode === 'azure' || rotations >= MIN_EMULATOR_ROTATIONS,
      "BullMQ's duplicated connections re-authenticated (emulator)":
        target.mode === 'azure' || [...reauths.keys()].filter((l) => l.includes('/duplicate#')).length >= 2,
      'no re-authentication failed': reauthFailures === 0,
      'no connection evicted': (stats?.evicted ?? 0) - evictedBefore === 0,
    });
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    if (connection.status !== 'end') await connection.quit().catch(() => connection.disconnect());
    auth.dispose();
    provider.dispose();
  }
}

runMain(() => withTarget(() => startClientSecretTarget(process.env), runScenario));
