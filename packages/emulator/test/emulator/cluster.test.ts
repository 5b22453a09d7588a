import { createCluster } from 'redis';
import { type LocalAzureRedis, type RedisClusterGateway, startEmulator } from '../../src';
import { processExists } from './support/probes';

describe('startEmulator › cluster', () => {
  let azure: LocalAzureRedis<RedisClusterGateway>;

  beforeAll(async () => {
    azure = await startEmulator({ cluster: true });
  }, 30_000);

  afterAll(async () => {
    await azure.stop();
  });

  it('runs three masters, each behind its own gateway, with the first as redisUrl', () => {
    expect(azure.cluster).toBe(true);
    expect(azure.redisServers).toHaveLength(3);
    expect(azure.gateway.gateways).toHaveLength(3);
    expect(azure.rootNodes).toEqual(azure.gateway.gateways.map((gateway) => ({ url: gateway.url })));
    expect(azure.redisUrl).toBe(azure.rootNodes[0]!.url);
  });

  it.each([2, 3] as const)(
    'serves node-redis createCluster over RESP%i with keys on every master',
    async (RESP) => {
      const { accessToken, oid } = await azure.issueAccessToken();
      const cluster = createCluster({
        RESP,
        rootNodes: [...azure.rootNodes],
        defaults: { username: oid, password: accessToken },
      });
      await cluster.connect();
      try {
        // "a", "b", "c" hash to slots owned by three different masters.
        for (const key of ['a', 'b', 'c']) await cluster.set(key, `${key}-${RESP}`);
        for (const key of ['a', 'b', 'c']) expect(await cluster.get(key)).toBe(`${key}-${RESP}`);
        expect(
          new Set(
            azure.gateway
              .authLog()
              .filter((entry) => entry.ok)
              .map((entry) => entry.node),
          ).size,
        ).toBe(3);
      } finally {
        cluster.destroy();
      }
    },
  );

  it('stops every cluster node', async () => {
    const other = await startEmulator({ cluster: { masters: 1 } });
    const pids = other.redisServers.map((server) => server.pid);
    expect(pids).toHaveLength(1);
    await other.stop();
    for (const pid of pids) expect(processExists(pid)).toBe(false);
  }, 30_000);
});
