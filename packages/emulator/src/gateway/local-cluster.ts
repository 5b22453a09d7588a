import { findFreePort } from '../free-port';
import { type RedisServer, startRedisServer } from '../redis-server';
import { AdminConnection } from './admin-connection';
import { GatewayStartError } from './errors';

const SLOT_COUNT = 16384;

/** A Redis Cluster of master-only redis-server processes, for tests. */
export interface LocalCluster {
  readonly servers: readonly RedisServer[];
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-server processes with cluster mode on, splits the 16384 slots evenly
 * (CLUSTER ADDSLOTSRANGE), joins them (CLUSTER MEET) and waits until every node reports
 * `cluster_state:ok` and knows every other node.
 */
export async function startLocalCluster(masters: number, timeoutMs: number): Promise<LocalCluster> {
  const servers: RedisServer[] = [];
  const admins: AdminConnection[] = [];
  const stop = async () => {
    for (const admin of admins) admin.close();
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (let i = 0; i < masters; i++) {
      // An explicit bus port: the default (port + 10000) overflows for ports above 55535.
      const busPort = await findFreePort();
      servers.push(
        await startRedisServer({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-port',
            String(busPort),
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    for (const server of servers) admins.push(await AdminConnection.open(server));
    await Promise.all(
      admins.map((admin, i) => {
        const first = Math.floor((i * SLOT_COUNT) / masters);
        const last = Math.floor(((i + 1) * SLOT_COUNT) / masters) - 1;
        return admin.command(['CLUSTER', 'ADDSLOTSRANGE', String(first), String(last)]);
      }),
    );
    for (const server of servers.slice(1)) {
      const busPort = await clusterBusPort(admins[servers.indexOf(server)]);
      await admins[0].command(['CLUSTER', 'MEET', server.host, String(server.port), String(busPort)]);
    }
    await waitUntilReady(admins, masters, timeoutMs);
    for (const admin of admins) admin.close();
    return { servers, stop };
  } catch (error) {
    await stop();
    throw error instanceof GatewayStartError
      ? error
      : new GatewayStartError('the local Redis Cluster could not be started', { cause: error });
  }
}

async function clusterBusPort(admin: AdminConnection): Promise<number> {
  const reply = (await admin.command(['CONFIG', 'GET', 'cluster-port'])) as string[];
  return Number(reply[1]);
}

async function waitUntilReady(admins: AdminConnection[], masters: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const infos = (await Promise.all(admins.map((admin) => admin.command(['CLUSTER', 'INFO'])))) as string[];
    const ready = infos.every(
      (info) => info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${masters}\r`),
    );
    if (ready) return;
    if (Date.now() > deadline) {
      throw new GatewayStartError(
        `the local Redis Cluster did not reach cluster_state:ok within ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
