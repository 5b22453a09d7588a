import { createClient } from 'redis';
import { createRedisAuth, ReauthenticationError, type RedisAuthEvents } from '../../src';
import { type AclRedis, startAclRedis } from '../support/acl-redis';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { createJwtSigner } from '../support/jwt-token-provider';
import { ScriptedProvider } from '../support/scripted-provider';
import type { AnyClient } from '../support/types';
import { sleep, waitFor } from '../support/wait-for';

// Issue #17, items 5 and 7: credentials the server refuses, and credentials the binding must not
// keep once nothing is open.

let gw: TestGateway;
let acl: AclRedis;
beforeAll(async () => {
  [gw, acl] = await Promise.all([startTestGateway(), startAclRedis()]);
});
afterAll(async () => {
  await Promise.all([gw.stop(), acl.stop()]);
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

describe('RedisAuth › credentials the server refuses', () => {
  it('sends one AUTH for credentials refused with WRONGPASS, reports it once as not retryable, and heals on newer ones', async () => {
    const oid = 'oid-wrongpass';
    const provider = new ScriptedProvider({ username: oid, password: await gw.signer.sign(oid, 60_000) });
    // Retries as fast as the options allow: a binding that retried a refusal would AUTH every ≤ 50 ms.
    const auth = createRedisAuth(provider, { reauthInitialDelayMs: 20, reauthMaxDelayMs: 50 });
    const failed: RedisAuthEvents['reauthFailed'][] = [];
    const reauthenticated: RedisAuthEvents['reauthenticated'][] = [];
    auth.events.on('reauthFailed', (e) => failed.push(e));
    auth.events.on('reauthenticated', (e) => reauthenticated.push(e));
    const client: AnyClient = auth.bind(createClient({ url: gw.url, credentialsProvider: auth }), {
      label: 'app',
    });
    client.on('error', () => {});
    cleanups.push(
      () => auth.dispose(),
      () => client.destroy(),
    );
    await client.connect();
    const [connection] = gw.gateway.connections().filter((c) => c.identity === oid);
    const info = () => gw.gateway.connections().find((c) => c.id === connection?.id);
    expect(info()?.authCount).toBe(1);

    // A token signed by a key the gateway does not trust.
    const rogue = await createJwtSigner();
    provider.next({ username: oid, password: await rogue.sign(oid, 60_000) });
    await waitFor(() => failed.length > 0, 'the refusal reported');
    // 20 times the longest retry delay.
    await sleep(1000);

    expect(info()?.authFailedCount).toBe(1);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ connection: 'app', generation: 2, attempt: 1, retryInMs: undefined });
    expect(failed[0]?.error).toBeInstanceOf(ReauthenticationError);
    expect(failed[0]?.error.code).toBe('REAUTHENTICATION_FAILED');
    expect(failed[0]?.error.isRetryable).toBe(false);
    expect(String((failed[0]?.error.cause as Error | undefined)?.message)).toMatch(/^WRONGPASS/);
    expect(provider.reauthErrors).toEqual([failed[0]?.error]);
    expect(auth.connections()).toEqual([expect.objectContaining({ label: 'app', authCommandsSent: 1 })]);
    // The connection keeps the token it had.
    expect(await client.ping()).toBe('PONG');
    expect(info()?.identity).toBe(oid);

    provider.next({ username: oid, password: await gw.signer.sign(oid, 60_000) });
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'app' && e.generation === 3),
      'healed by the next credentials',
    );
    expect(info()).toMatchObject({ authCount: 2, authFailedCount: 1 });
    expect(auth.connections()).toEqual([
      expect.objectContaining({ label: 'app', generation: 3, authCommandsSent: 2 }),
    ]);
    expect(failed).toHaveLength(1);
    expect(await client.ping()).toBe('PONG');
  });
});

describe('RedisAuth › idle release', () => {
  it('forgets the credentials once nothing is open: a client bound after a password rotation is AUTHed with fresh ones', async () => {
    await acl.setPasswords('app7', 'first-secret');
    const provider = new ScriptedProvider({ username: 'app7', password: 'first-secret' });
    const auth = createRedisAuth(provider);
    const failed: RedisAuthEvents['reauthFailed'][] = [];
    const reauthenticated: RedisAuthEvents['reauthenticated'][] = [];
    auth.events.on('reauthFailed', (e) => failed.push(e));
    auth.events.on('reauthenticated', (e) => reauthenticated.push(e));
    cleanups.push(() => auth.dispose());

    const first: AnyClient = auth.bind(createClient({ url: acl.url }), { label: 'first' });
    first.on('error', () => {});
    cleanups.push(() => first.destroy());
    await first.connect();
    expect(await first.sendCommand(['ACL', 'WHOAMI'])).toBe('app7');
    await first.close();
    await waitFor(() => !auth.isSubscribed, 'subscription released once nothing is open');
    expect(provider.listenerCount).toBe(0);

    // The secret is rotated while nothing bound is open.
    await acl.setPasswords('app7', 'second-secret');
    provider.current = { username: 'app7', password: 'second-secret' };
    await acl.resetLog();

    // A client already connected (as `default`), bound later.
    const later: AnyClient = createClient({ url: acl.url });
    later.on('error', () => {});
    cleanups.push(() => later.destroy());
    await later.connect();
    auth.bind(later, { label: 'later' });
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'later'),
      'the later client AUTHed with the fresh credentials',
    );
    expect(await later.sendCommand(['ACL', 'WHOAMI'])).toBe('app7');
    expect(failed).toEqual([]);
    expect(await acl.authFailures('app7')).toBe(0);
    expect(provider.subscribeCalls).toBe(2);
    expect(auth.isSubscribed).toBe(true);
  });
});
