// Benchmark of the streaming credentials provider (not a test): run with `pnpm bench`.
// Prints IdP calls for 10,000 concurrent first subscribers, the time to notify 10,000 listeners
// of a refreshed token, and the heap cost of one subscription.
import { performance } from 'node:perf_hooks';
import {
  type BasicAuth,
  type IdentityProvider,
  StreamingCredentialsProvider,
  type TokenResponse,
} from '../src';

const SUBSCRIBERS = 10_000;
const REFRESHES = 10;

class CountingIdentityProvider implements IdentityProvider<string> {
  calls = 0;
  constructor(
    private readonly ttlMs: number,
    private readonly latencyMs: number,
  ) {}
  async requestToken(): Promise<TokenResponse<string>> {
    this.calls++;
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    return { token: `token-${this.calls}`, ttlMs: this.ttlMs };
  }
}

function createProvider(idp: IdentityProvider<string>, ttlMs: number) {
  return new StreamingCredentialsProvider<string>({
    identityProvider: idp,
    credentialsMapper: (token) => ({ username: 'bench', password: token.value }),
    // Refresh halfway through short tokens, without jitter, so the loop runs quickly and evenly.
    tokenManagerConfig: {
      expirationRefreshRatio: 0.5,
      refreshJitterMs: 0,
      minRefreshIntervalMs: Math.min(500, ttlMs / 4),
    },
  });
}

const noop = { onNext() {}, onError() {} };

async function concurrentFirstSubscribers(): Promise<void> {
  const idp = new CountingIdentityProvider(60_000, 20);
  const provider = createProvider(idp, 60_000);
  const started = performance.now();
  const subscriptions = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, () => provider.subscribe(noop)),
  );
  const elapsedMs = performance.now() - started;
  console.log(`IdP calls for ${SUBSCRIBERS.toLocaleString('en')} concurrent first subscribers: ${idp.calls}`);
  console.log(
    `  all ${subscriptions.length.toLocaleString('en')} resolved in ${elapsedMs.toFixed(1)} ms (IdP latency 20 ms)`,
  );
  provider.dispose();
}

async function notifyListeners(): Promise<void> {
  const ttlMs = 200;
  const idp = new CountingIdentityProvider(ttlMs, 0);
  const provider = createProvider(idp, ttlMs);
  let received = 0;
  let acquiredAt = 0;
  const samples: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  provider.events.on('tokenAcquired', () => {
    acquiredAt = performance.now();
    received = 0;
  });
  const listener = {
    onNext(_credentials: BasicAuth) {
      if (++received === SUBSCRIBERS) {
        samples.push(performance.now() - acquiredAt);
        if (samples.length === REFRESHES) done();
      }
    },
    onError() {},
  };
  for (let i = 0; i < SUBSCRIBERS; i++) await provider.subscribe(listener);
  await finished;
  provider.dispose();
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  console.log(
    `Time to notify ${SUBSCRIBERS.toLocaleString('en')} listeners of a new token: median ${median.toFixed(2)} ms, ` +
      `min ${samples[0]!.toFixed(2)} ms, max ${samples[samples.length - 1]!.toFixed(2)} ms (${REFRESHES} refreshes)`,
  );
}

async function heapPerSubscription(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('Heap bytes per subscription: run with node --expose-gc to measure');
    return;
  }
  const idp = new CountingIdentityProvider(3_600_000, 0);
  const provider = createProvider(idp, 3_600_000);
  const warmup = await provider.subscribe(noop);
  const listeners = Array.from({ length: SUBSCRIBERS }, () => ({ onNext() {}, onError() {} }));
  const disposables: Array<{ dispose(): void }> = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const listener of listeners) disposables.push((await provider.subscribe(listener))[1]);
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(
    `Heap bytes per subscription: ${Math.round((after - before) / SUBSCRIBERS)} ` +
      `(${SUBSCRIBERS.toLocaleString('en')} subscriptions, listener objects excluded)`,
  );
  for (const disposable of disposables) disposable.dispose();
  warmup[1].dispose();
  provider.dispose();
}

async function main(): Promise<void> {
  console.log(`@authx/token-core benchmark — Node ${process.version}`);
  // The provider's timers are unref'd (an idle provider never keeps a process alive), so hold the
  // process open while the benchmark waits on them.
  const keepAlive = setInterval(() => {}, 1_000);
  try {
    await concurrentFirstSubscribers();
    await notifyListeners();
    await heapPerSubscription();
  } finally {
    clearInterval(keepAlive);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
