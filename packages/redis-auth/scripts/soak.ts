// Soak: rotations of 2 s tokens under steady load, behind the token-checking gateway.
// Usage: pnpm soak [--duration <seconds>]   (default 600)
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { createRedisAuth } from '../src';
import { startTestGateway } from '../test/support/gateway';
import { JwtTokenProvider } from '../test/support/jwt-token-provider';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '600' } } });
  const durationMs = Number(values.duration) * 1000;
  if (!Number.isFinite(durationMs) || durationMs <= 0)
    throw new Error('--duration must be a positive number of seconds');

  const gw = await startTestGateway();
  const provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 2000, refreshRatio: 0.5 });
  const auth = createRedisAuth(provider);
  let reauthFailed = 0;
  auth.events.on('reauthFailed', () => reauthFailed++);
  const options = { url: gw.url, credentialsProvider: auth };
  const worker = auth.bind(createClient(options), { label: 'worker' });
  const publisher = auth.bind(createClient({ ...options, RESP: 2 }), { label: 'publisher' });
  const subscriber = auth.bind(createClient({ ...options, RESP: 2 }), { label: 'subscriber' });
  for (const c of [worker, publisher, subscriber]) c.on('error', () => {});
  await Promise.all([worker.connect(), publisher.connect(), subscriber.connect()]);
  const seen = new Set<number>();
  let deliveries = 0;
  await subscriber.subscribe('soak', (message) => {
    deliveries++;
    seen.add(Number(message));
  });

  global.gc?.();
  const heapStartMb = process.memoryUsage().heapUsed / 2 ** 20;
  const startMs = Date.now();
  let ok = 0;
  let failed = 0;
  let published = 0;
  const load = async () => {
    while (Date.now() - startMs < durationMs) {
      const results = await Promise.allSettled([
        worker.set(`soak:${ok % 1000}`, String(ok)),
        worker.get(`soak:${(ok + 1) % 1000}`),
        publisher.publish('soak', String(published++)),
      ]);
      for (const r of results) r.status === 'fulfilled' ? ok++ : failed++;
    }
  };
  const progress = setInterval(() => {
    console.log(
      `… ${Math.round((Date.now() - startMs) / 1000)} s: ${ok} ok, ${failed} failed, tokens ${provider.tokensIssued}`,
    );
  }, 10_000);
  await Promise.all([load(), load()]);
  clearInterval(progress);
  const lastPublished = published;
  const deadline = Date.now() + 5000;
  while (seen.size < lastPublished && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  global.gc?.();
  const heapEndMb = process.memoryUsage().heapUsed / 2 ** 20;
  const stats = gw.gateway.stats();
  console.log(
    JSON.stringify(
      {
        durationS: durationMs / 1000,
        tokensIssued: provider.tokensIssued,
        commandsOk: ok,
        commandsFailed: failed,
        evictions: stats.evicted,
        authFailed: stats.authFailed,
        reauthFailedEvents: reauthFailed,
        messagesPublished: lastPublished,
        messagesLost: lastPublished - seen.size,
        duplicateDeliveries: deliveries - seen.size,
        providerSubscriptions: provider.subscribeCalls,
        heapStartMb: Number(heapStartMb.toFixed(1)),
        heapEndMb: Number(heapEndMb.toFixed(1)),
      },
      null,
      2,
    ),
  );
  for (const c of [worker, publisher, subscriber]) c.destroy();
  auth.dispose();
  provider.close();
  await gw.stop();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
