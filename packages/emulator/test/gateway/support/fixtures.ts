import { type RedisServer, startRedisServer } from '../../../src';

/** Waits until `predicate` holds, polling every 10 ms; fails after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A private redis-server for one test file. */
export async function startBackend(args: string[] = []): Promise<RedisServer> {
  return startRedisServer({ args });
}
