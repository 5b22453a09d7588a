import { createClient, createCluster } from 'redis';
import { type RedisClusterGateway, startRedisClusterGateway } from '../../src';
import { RawClient } from './support/raw-client';
import { OPEN_ACCESS, TokenFactory } from './support/token-factory';

describe('startRedisClusterGateway', () => {
  let tokens: TokenFactory;
  let cluster: RedisClusterGateway;
  const gatewayPorts = () => cluster.gateways.map((gateway) => gateway.port);

  beforeAll(async () => {
    tokens = await TokenFactory.create();
    cluster = await startRedisClusterGateway({ jwks: tokens.jwks, ...OPEN_ACCESS });
  }, 30_000);

  afterAll(async () => {
    await cluster.stop();
  });

  it('starts three masters, each behind its own gateway', () => {
    expect(cluster.gateways).toHaveLength(3);
    expect(new Set(gatewayPorts()).size).toBe(3);
    for (const backend of cluster.backends) expect(gatewayPorts()).not.toContain(backend.port);
  });

  it.each([2, 3] as const)(
    'shows clients only gateway addresses in CLUSTER SLOTS, SHARDS and NODES (RESP%i)',
    async (RESP) => {
      const { token, oid } = await tokens.mint();
      const client = createClient({ url: cluster.rootNodes[0].url, RESP, username: oid, password: token });
      await client.connect();
      try {
        const slots = await client.clusterSlots();
        const slotPorts = slots.map((range) => range.master.port).sort();
        expect(slotPorts).toEqual([...gatewayPorts()].sort());
        expect(slots.reduce((sum, range) => sum + range.to - range.from + 1, 0)).toBe(16384);

        const shardPorts = portsIn(await client.sendCommand(['CLUSTER', 'SHARDS'])).sort();
        expect(shardPorts).toEqual([...gatewayPorts()].sort());
        const nodes = String(await client.sendCommand(['CLUSTER', 'NODES']));
        const nodePorts = [...nodes.matchAll(/ 127\.0\.0\.1:(\d+)@/g)]
          .map((match) => Number(match[1]))
          .sort();
        expect(nodePorts).toEqual([...gatewayPorts()].sort());
      } finally {
        client.destroy();
      }
    },
  );

  it('applies an access policy assignment on every node (one cache); a Data Reader can still discover the topology', async () => {
    const { token, oid } = await tokens.mint();
    await cluster.assignAccessPolicy({ objectId: oid, accessPolicyName: 'Data Reader' });
    expect(cluster.gateways[1]!.accessPolicyAssignments()).toContainEqual({
      objectId: oid,
      accessPolicyName: 'Data Reader',
    });
    const client = createCluster({
      rootNodes: [...cluster.rootNodes],
      defaults: { username: oid, password: token },
    });
    await client.connect();
    try {
      // Keys on different masters: each node's redis-server has the principal's ACL user.
      for (const key of ['a', 'b', 'c']) {
        await expect(client.set(key, '1')).rejects.toThrow(/^NOPERM/);
        expect(await client.get(key)).toBeDefined();
      }
      await cluster.assignAccessPolicy({ objectId: oid, accessPolicyName: 'Data Contributor' });
      for (const key of ['a', 'b', 'c']) expect(await client.set(key, '1')).toBe('OK');
    } finally {
      client.destroy();
    }
  });

  it('rewrites -MOVED redirections to the gateway of the owning node', async () => {
    const { token, oid } = await tokens.mint();
    const client = await RawClient.open(cluster.gateways[0].port);
    try {
      // Slot 15495 ("a") belongs to the third master.
      client.command('AUTH', oid, token).command('GET', 'a');
      expect(await client.read(2)).toEqual([
        '+OK\r\n',
        `-MOVED 15495 127.0.0.1:${cluster.gateways[2].port}\r\n`,
      ]);
    } finally {
      client.destroy();
    }
  });

  it('serves node-redis createCluster: keys across all slots, and follows MOVED after a slot moves', async () => {
    const { token, oid } = await tokens.mint();
    const client = createCluster({
      rootNodes: [{ url: cluster.rootNodes[0].url }],
      defaults: { username: oid, password: token },
    });
    await client.connect();
    try {
      const keys = Array.from({ length: 60 }, (_, i) => `key:${i}`);
      await Promise.all(keys.map((key) => client.set(key, key.toUpperCase())));
      expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys.map((k) => k.toUpperCase()));
      const perNode = cluster.connections().filter((c) => c.identity === oid);
      expect(new Set(perNode.map((c) => c.node))).toEqual(new Set([0, 1, 2]));

      // Move the (empty) slot of a fresh key to another master behind node-redis' back.
      const moved = 'moving-key';
      const admins = await Promise.all(
        cluster.backends.map(async (backend) => {
          const admin = createClient({ socket: { host: backend.host, port: backend.port } });
          await admin.connect();
          return admin;
        }),
      );
      try {
        const slot = await admins[0].clusterKeySlot(moved);
        const owner = cluster.gateways.findIndex((_, i) => {
          const first = Math.floor((i * 16384) / 3);
          return slot >= first && slot < Math.floor(((i + 1) * 16384) / 3);
        });
        const target = (owner + 1) % 3;
        const targetId = await admins[target].clusterMyId();
        for (const index of [target, owner, (owner + 2) % 3]) {
          await admins[index].sendCommand(['CLUSTER', 'SETSLOT', String(slot), 'NODE', targetId]);
        }
        const redirectsBefore = await movedCount(admins[owner]);
        await client.set(moved, 'arrived');
        expect(await client.get(moved)).toBe('arrived');
        expect(await admins[target].get(moved)).toBe('arrived');
        // The old owner answered MOVED at least once, and node-redis followed it through the gateway.
        expect(await movedCount(admins[owner])).toBeGreaterThan(redirectsBefore);
      } finally {
        for (const admin of admins) admin.destroy();
      }
    } finally {
      client.destroy();
    }
  });
});

/** The node's count of -MOVED replies (errorstat_MOVED). */
async function movedCount(admin: { info(section: string): Promise<unknown> }): Promise<number> {
  const info = String(await admin.info('errorstats'));
  return Number(/errorstat_MOVED:count=(\d+)/.exec(info)?.[1] ?? 0);
}

/** Every value of a `port` field in a CLUSTER SHARDS reply (key/value arrays in RESP2, objects in RESP3). */
function portsIn(reply: unknown): number[] {
  if (Array.isArray(reply)) {
    const ports: number[] = [];
    reply.forEach((item, i) => {
      if (item === 'port' && typeof reply[i + 1] === 'number') ports.push(reply[i + 1] as number);
      else ports.push(...portsIn(item));
    });
    return ports;
  }
  if (reply && typeof reply === 'object') {
    return Object.entries(reply).flatMap(([key, value]) =>
      key === 'port' ? [Number(value)] : portsIn(value),
    );
  }
  return [];
}
