import { createClient, createClientPool } from 'redis';
import { bindCredentials, createRedisAuth, type RedisAuth } from '../../src';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { JwtTokenProvider } from '../support/jwt-token-provider';
import type { AnyClient } from '../support/types';
import { waitFor } from '../support/wait-for';

// Issue #17, items 1 and 6: what unbind() / dispose() leave behind on the application's objects.

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup();
    } catch {
      // node-redis 6.0 throws when destroying a client that is already closed.
    }
  }
});

function jwtProvider(oid: string): JwtTokenProvider {
  const provider = new JwtTokenProvider({ signer: gw.signer, oid, lifetimeMs: 60_000, refreshRatio: 0 });
  cleanups.push(() => provider.close());
  return provider;
}

describe('RedisAuth › unbind() and dispose()', () => {
  it("keeps the application's 'error' listeners of a client and of a pool, so a later socket error reaches them", async () => {
    for (const ending of ['unbind', 'dispose'] as const) {
      // A standalone client: the listener is registered on the object createClient returned.
      const oid = `oid-listeners-client-${ending}`;
      const client: AnyClient = createClient({ url: gw.url, socket: { reconnectStrategy: false } });
      const clientErrors: Error[] = [];
      client.on('error', (error) => clientErrors.push(error));
      const auth = bindCredentials(client, jwtProvider(oid));
      cleanups.push(
        () => auth.dispose(),
        () => client.destroy(),
      );
      await client.connect();
      if (ending === 'unbind') auth.unbind(client);
      else auth.dispose();
      expect(gw.gateway.kill({ identity: oid })).toBe(1);
      await waitFor(() => clientErrors.length > 0, `the client's error listener after ${ending}`);
      expect(client.isOpen).toBe(false);
    }

    for (const ending of ['unbind', 'dispose'] as const) {
      // A pool forwards its clients' errors through its own listener on each pooled client.
      const oid = `oid-listeners-pool-${ending}`;
      const auth: RedisAuth = createRedisAuth(jwtProvider(oid));
      const pool = auth.bind(
        createClientPool(
          { url: gw.url, credentialsProvider: auth, socket: { reconnectStrategy: false } },
          { minimum: 2, maximum: 2 },
        ),
      );
      const poolErrors: Error[] = [];
      pool.on('error', (error) => poolErrors.push(error));
      cleanups.push(
        () => auth.dispose(),
        () => pool.destroy(),
      );
      await pool.connect();
      // Both pooled clients serve a task, so the binding has met (and hooked) each of them.
      await Promise.all([pool.ping(), pool.ping()]);
      await waitFor(() => auth.connections().length === 2, 'both pooled clients tracked');
      if (ending === 'unbind') auth.unbind(pool);
      else auth.dispose();
      expect(auth.connections()).toEqual([]);
      expect(gw.gateway.kill({ identity: oid })).toBe(2);
      await waitFor(
        () => poolErrors.length >= 2,
        `the pool's error listener, fed by each pooled client, after ${ending}`,
      );
    }
  });

  it("restores the client's own credentialsProvider: its reconnects after unbind() never go through the binding", async () => {
    const ownOid = 'oid-own-provider';
    let ownCalls = 0;
    const own = {
      type: 'async-credentials-provider' as const,
      async credentials() {
        ownCalls++;
        return { username: ownOid, password: await gw.signer.sign(ownOid, 60_000) };
      },
    };
    const client: AnyClient = createClient({
      url: gw.url,
      credentialsProvider: own,
      socket: { reconnectStrategy: () => 20 },
    });
    client.on('error', () => {});
    const provider = jwtProvider('oid-binding');
    const auth = createRedisAuth(provider);
    cleanups.push(
      () => auth.dispose(),
      () => client.destroy(),
    );
    auth.bind(client);
    await client.connect();
    expect(ownCalls).toBe(0);
    expect(gw.gateway.connections().map((c) => c.identity)).toContain('oid-binding');

    auth.unbind(client);
    expect(client.options?.credentialsProvider).toBe(own);
    await waitFor(() => !auth.isSubscribed, 'subscription released after unbind()');
    const subscribeCalls = provider.subscribeCalls;

    expect(gw.gateway.kill({ identity: 'oid-binding' })).toBe(1);
    await waitFor(() => ownCalls === 1 && client.isReady, 'reconnected with its own provider');
    expect(gw.gateway.connections().map((c) => c.identity)).toContain(ownOid);
    expect(provider.subscribeCalls).toBe(subscribeCalls);
    expect(auth.isSubscribed).toBe(false);
    expect(provider.listenerCount).toBe(0);
    expect(provider.isRefreshing).toBe(false);
    expect(auth.connections()).toEqual([]);
    expect(await client.ping()).toBe('PONG');
  });
});
