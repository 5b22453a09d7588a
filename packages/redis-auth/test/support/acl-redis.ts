import { type RedisServer, startRedisServer } from '@authx/emulator';
import { createClient } from 'redis';
import type { AnyClient } from './types';

/**
 * A plain redis-server whose `default` user (no password) administers ACL users: passwords can be
 * rotated at any moment, and refusals counted from the server's own ACL LOG.
 */
export interface AclRedis {
  readonly url: string;
  readonly server: RedisServer;
  /** Creates or updates `username` with exactly `passwords` (full access). */
  setPasswords(username: string, ...passwords: string[]): Promise<void>;
  /** Creates or updates `username` to accept any password (`nopass`; full access). */
  allowAnyPassword(username: string): Promise<void>;
  /** `AUTH` commands the server has executed (INFO commandstats; handshake HELLOs not counted). */
  authCommands(): Promise<number>;
  /** Refused AUTH / HELLO AUTH for `username` since the last `resetLog()` (from ACL LOG). */
  authFailures(username: string): Promise<number>;
  resetLog(): Promise<void>;
  /** Connections open on the server, this admin connection excluded. */
  clientCount(): Promise<number>;
  stop(): Promise<void>;
}

export async function startAclRedis(): Promise<AclRedis> {
  const server = await startRedisServer();
  const admin: AnyClient = createClient({ url: server.url, RESP: 2 });
  admin.on('error', () => {});
  await admin.connect();
  return {
    url: server.url,
    server,
    async setPasswords(username, ...passwords) {
      await admin.sendCommand([
        'ACL',
        'SETUSER',
        username,
        'reset',
        'on',
        ...passwords.map((p) => `>${p}`),
        '~*',
        '&*',
        '+@all',
      ]);
    },
    async allowAnyPassword(username) {
      await admin.sendCommand(['ACL', 'SETUSER', username, 'reset', 'on', 'nopass', '~*', '&*', '+@all']);
    },
    async authCommands() {
      const stats = String(await admin.sendCommand(['INFO', 'commandstats']));
      return Number(/^cmdstat_auth:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
    },
    async authFailures(username) {
      const entries = (await admin.sendCommand(['ACL', 'LOG', '1000'])) as unknown[][];
      let count = 0;
      for (const entry of entries) {
        const fields = new Map<string, unknown>();
        for (let i = 0; i + 1 < entry.length; i += 2) fields.set(String(entry[i]), entry[i + 1]);
        if (fields.get('reason') === 'auth' && fields.get('username') === username) {
          count += Number(fields.get('count'));
        }
      }
      return count;
    },
    async resetLog() {
      await admin.sendCommand(['ACL', 'LOG', 'RESET']);
    },
    async clientCount() {
      const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
      return list.split('\n').filter((line) => line.trim() !== '').length - 1;
    },
    async stop() {
      admin.destroy();
      await server.stop();
    },
  };
}
