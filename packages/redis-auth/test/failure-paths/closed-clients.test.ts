import { createClient } from 'redis';
import { createRedisAuth } from '../../src';
import { type AclRedis, startAclRedis } from '../support/acl-redis';
import { ScriptedProvider } from '../support/scripted-provider';
import type { AnyClient } from '../support/types';
import { waitFor } from '../support/wait-for';

// Issue #17, item 9: a standalone client its owner closed is not tracked any more.

let acl: AclRedis;
beforeAll(async () => {
  acl = await startAclRedis();
  await acl.setPasswords('app9', 'secret');
});
afterAll(async () => {
  await acl.stop();
});

describe('RedisAuth › closed standalone clients', () => {
  it('stops tracking each client its owner closes: 200 bind/connect/close cycles leave nothing tracked, and a later connect() is tracked again', async () => {
    const provider = new ScriptedProvider({ username: 'app9', password: 'secret' });
    const auth = createRedisAuth(provider);
    const added: string[] = [];
    const removed: string[] = [];
    auth.events.on('connectionAdded', (e) => added.push(e.connection));
    auth.events.on('connectionRemoved', (e) => removed.push(e.connection));
    const clients: AnyClient[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const client: AnyClient = auth.bind(createClient({ url: acl.url, RESP: 2 }));
        client.on('error', () => {});
        clients.push(client);
        await client.connect();
        await client.close();
      }
      expect(auth.connections()).toEqual([]);
      expect(removed).toHaveLength(200);
      expect(new Set(removed).size).toBe(200);
      expect(removed.sort()).toEqual([...added].sort());
      await waitFor(() => !auth.isSubscribed, 'no subscription once everything is closed');
      expect(provider.listenerCount).toBe(0);
      expect(await acl.clientCount()).toBe(0);

      // Still bound: connected again, it is tracked again (and AUTHed by the binding).
      const again = clients[199] as AnyClient;
      await again.connect();
      expect(auth.connections()).toEqual([expect.objectContaining({ isOpen: true })]);
      expect(await again.sendCommand(['ACL', 'WHOAMI'])).toBe('app9');
      await again.close();
      expect(auth.connections()).toEqual([]);
      expect(removed).toHaveLength(201);
      await waitFor(() => !auth.isSubscribed, 'no subscription after the second close');
    } finally {
      for (const client of clients) if (client.isOpen) client.destroy();
      auth.dispose();
    }
  });
});
