import type { RotationRunRequest, RotationRunResult } from '../protocol';
import type { BenchClient, ClientKit } from './client-kit';
import type { ErrorTally } from './error-tally';
import { sleep } from '../wait';

const CHANNEL = 'bench:pubsub';

/**
 * One RESP2 subscriber with a numbered publisher on its own connection, plus load clients sending
 * SET/GET at a steady pace (alternately RESP2 and RESP3), for `durationMs`. Commands are not awaited
 * one by one: node-redis queues them while a connection is re-established, as an application would.
 */
export async function rotationRun(
  kit: ClientKit,
  options: RotationRunRequest,
  errors: ErrorTally,
): Promise<RotationRunResult> {
  const received: Array<readonly [number, number]> = [];
  const subscriber = kit.newClient(2);
  const publisher = kit.newClient(2);
  const loaders: BenchClient[] = [];
  for (let i = 0; i < options.loadClients; i++) loaders.push(kit.newClient(i % 2 === 0 ? 2 : 3));
  await Promise.all([subscriber, publisher, ...loaders].map((client) => client.connect()));
  await subscriber.subscribe(CHANNEL, (message) => received.push([Number(message), Date.now()]));

  const published: Array<readonly [number, number, number]> = [];
  let publishFailed = 0;
  let loadOk = 0;
  let loadFailed = 0;
  const pending = new Set<Promise<unknown>>();
  const track = (promise: Promise<unknown>) => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  };

  const startedAtMs = Date.now();
  const endAtMs = startedAtMs + options.durationMs;
  let n = 0;
  const publishTimer = setInterval(() => {
    const number = ++n;
    const sentAtMs = Date.now();
    track(
      publisher.publish(CHANNEL, String(number)).then(
        (receivers) => published.push([number, sentAtMs, receivers]),
        (error: Error) => {
          publishFailed++;
          errors.sample(error);
        },
      ),
    );
  }, options.publishIntervalMs);
  let tick = 0;
  const loadTimer = setInterval(() => {
    tick++;
    for (const [index, client] of loaders.entries()) {
      const key = `bench:load:${index}`;
      const command = tick % 2 === 0 ? client.set(key, String(tick)) : client.get(key);
      track(
        command.then(
          () => loadOk++,
          (error: Error) => {
            loadFailed++;
            errors.sample(error);
          },
        ),
      );
    }
  }, options.loadIntervalMs);

  await sleep(endAtMs - Date.now());
  clearInterval(publishTimer);
  clearInterval(loadTimer);
  const endedAtMs = Date.now();
  // Let queued commands settle and the last messages arrive.
  await Promise.race([Promise.allSettled([...pending]), sleep(10_000)]);
  await sleep(300);
  for (const client of [subscriber, publisher, ...loaders]) client.destroy();
  return {
    startedAtMs,
    endedAtMs,
    published: published.sort((a, b) => a[0] - b[0]),
    publishFailed,
    received,
    loadOk,
    loadFailed,
    clientErrors: errors.count,
    errorSamples: errors.samples(),
  };
}
