import { createClient } from 'redis';
import { createRedisAuth, type RedisAuth, type RedisAuthEvents } from '../src';
import type { AnyClient } from './support/types';
import { startTestGateway, type TestGateway } from './support/gateway';
import { JwtTokenProvider } from './support/jwt-token-provider';
import { waitFor } from './support/wait-for';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe.each([2, 3] as const)('RedisAuth › transactions and blocking commands (RESP%i)', (RESP) => {
  let provider: JwtTokenProvider;
  let auth: RedisAuth;
  let client: AnyClient;
  let other: AnyClient;
  let deferred: RedisAuthEvents['reauthDeferred'][];
  let reauthenticated: RedisAuthEvents['reauthenticated'][];

  beforeEach(async () => {
    provider = new JwtTokenProvider({ signer: gw.signer, lifetimeMs: 60_000, refreshRatio: 0 });
    auth = createRedisAuth(provider);
    deferred = [];
    reauthenticated = [];
    auth.events.on('reauthDeferred', (e) => deferred.push(e));
    auth.events.on('reauthenticated', (e) => reauthenticated.push(e));
    client = auth.bind(createClient({ url: gw.url, RESP, credentialsProvider: auth }), { label: 'tx' });
    other = auth.bind(createClient({ url: gw.url, RESP, credentialsProvider: auth }), { label: 'other' });
    for (const c of [client, other]) c.on('error', () => {});
    await Promise.all([client.connect(), other.connect()]);
  });

  afterEach(async () => {
    for (const c of [client, other]) if (c.isOpen) c.destroy();
    auth.dispose();
    provider.close();
  });

  it('holds the AUTH back while a hand-written MULTI is open and sends it right after EXEC', async () => {
    await client.sendCommand(['MULTI']);
    await client.sendCommand(['SET', 'tx:a', '1']);
    await provider.rotateNow();
    expect(deferred.map((e) => [e.connection, e.reason])).toContainEqual(['tx', 'transaction']);
    await client.sendCommand(['SET', 'tx:b', '2']);
    const exec = await client.sendCommand(['EXEC']);
    // Exactly the two queued commands: no AUTH was queued inside the transaction.
    expect(exec).toEqual(['OK', 'OK']);
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'tx' && e.generation === 2),
      'AUTH after EXEC',
    );
  });

  it('does not lose the AUTH when the hand-written transaction ends with DISCARD', async () => {
    await client.sendCommand(['MULTI']);
    await provider.rotateNow();
    await client.sendCommand(['SET', 'tx:c', '1']);
    expect(await client.sendCommand(['DISCARD'])).toBe('OK');
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'tx' && e.generation === 2),
      'AUTH after DISCARD',
    );
    expect(await client.get('tx:c')).toBeNull();
  });

  it('never splits client.multi(), and a re-AUTH between WATCH and EXEC keeps the watch (Redis does not unwatch on AUTH)', async () => {
    await client.set('watched', '0');
    await client.watch('watched');
    await provider.rotateNow();
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'tx' && e.generation === 2),
      'AUTH while watching',
    );
    await other.set('watched', 'changed elsewhere');
    await expect(client.multi().set('watched', 'mine').exec()).rejects.toThrow(/WATCH|aborted/i);
    expect(await client.get('watched')).toBe('changed elsewhere');

    await client.watch('watched');
    await provider.rotateNow();
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'tx' && e.generation === 3),
      'second AUTH',
    );
    expect(await client.multi().set('watched', 'mine').get('watched').exec()).toEqual(['OK', 'mine']);
  });

  it('reports an AUTH stuck behind BLPOP 0 as deferred by a blocking command that may outlive the token', async () => {
    const blpop = client.blPop('empty-list', 0);
    await waitFor(() => gw.gateway.connections().length >= 2, 'connections');
    await provider.rotateNow();
    await waitFor(
      () => deferred.some((e) => e.connection === 'tx' && e.reason === 'blocking-command'),
      'deferral',
    );
    const event = deferred.find((e) => e.connection === 'tx' && e.reason === 'blocking-command');
    expect(event?.willMissExpiry).toBe(true);
    expect(event?.expiresAtMs).toBeGreaterThan(Date.now());
    expect(reauthenticated.some((e) => e.connection === 'tx' && e.generation === 2)).toBe(false);
    await other.rPush('empty-list', 'wake');
    expect(await blpop).toEqual({ key: 'empty-list', element: 'wake' });
    await waitFor(
      () => reauthenticated.some((e) => e.connection === 'tx' && e.generation === 2),
      'AUTH after BLPOP',
    );
  });
});
