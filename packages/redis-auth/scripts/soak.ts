// Soak: rotations of 2 s tokens under steady load, behind the token-checking gateway.
// Usage: pnpm soak [--duration <seconds>]   (default 600)
import { parseArgs } from 'node:util';
import { createClient } from 'redis';
import { createRedisAuth } from '../src';
import { startTestGateway } from '../test/support/gateway';
import { JwtTokenProvider } from '../test/support/jwt-token-provider';

/** Which numbered messages arrived: a growable bitset, so tracking millions costs little memory. */
class DeliveryTracker {
  #bits = new Uint32Array(1024);
  unique = 0;
  total = 0;

  add(seq: number): void {
    this.total++;
    const word = seq >>> 5;
    if (word >= this.#bits.length) {
      const grown = new Uint32Array(Math.max(word + 1, this.#bits.length * 2));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    const mask = 1 << (seq & 31);
    if ((this.#bits[word] & mask) === 0) {
      this.#bits[word] |= mask;
      this.unique++;
    }
  }
}

function heapMb(): number {
  global.gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const WARMUP_MS = 30_000;

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
  const deliveries = new DeliveryTracker();
  await subscriber.subscribe('soak', (message) => deliveries.add(Number(message)));

  const heapStartMb = heapMb();
  let heapAfterWarmupMb: number | undefined;
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
    const elapsedMs = Date.now() - startMs;
    const heap = heapMb();
    if (heapAfterWarmupMb === undefined && elapsedMs >= WARMUP_MS) heapAfterWarmupMb = heap;
    console.log(
      `… ${Math.round(elapsedMs / 1000)} s: ${ok} ok, ${failed} failed, tokens ${provider.tokensIssued}, heap ${heap.toFixed(1)} MB`,
    );
  }, 10_000);
  await Promise.all([load(), load()]);
  clearInterval(progress);
  const lastPublished = published;
  const deadline = Date.now() + 5000;
  while (deliveries.unique < lastPublished && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const heapEndMb = heapMb();
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
        messagesLost: lastPublished - deliveries.unique,
        duplicateDeliveries: deliveries.total - deliveries.unique,
        providerSubscriptions: provider.subscribeCalls,
        heapStartMb: Number(heapStartMb.toFixed(1)),
        heapAfterWarmupMb: heapAfterWarmupMb === undefined ? null : Number(heapAfterWarmupMb.toFixed(1)),
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
