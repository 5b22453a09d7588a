import { createClient } from 'redis';
import { RedisServerStartError, startRedisServer } from '../src';

describe('startRedisServer', () => {
  it('starts a private redis-server on a free port and stops it', async () => {
    const server = await startRedisServer();
    const client = createClient({ url: server.url });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    expect(server.port).not.toBe(6379);
    client.destroy();
    await server.stop();
    await expect(
      createClient({ url: server.url, socket: { reconnectStrategy: false } }).connect(),
    ).rejects.toThrow();
  });

  it('fails with REDIS_SERVER_MISSING when the binary does not exist', async () => {
    const error = await startRedisServer({ binary: '/nonexistent/redis-server' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisServerStartError);
    expect((error as RedisServerStartError).code).toBe('REDIS_SERVER_MISSING');
  });
});
