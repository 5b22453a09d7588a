import { type RedisServer, startRedisServer } from '../../../src';

/** A private redis-server for one test file. */
export async function startBackend(args: string[] = []): Promise<RedisServer> {
  return startRedisServer({ args });
}
