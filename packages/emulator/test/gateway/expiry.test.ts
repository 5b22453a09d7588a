import { createClient } from 'redis';
import { type EvictedEvent, type RedisGateway, type RedisServer, startRedisGateway } from '../../src';
import { startBackend } from './support/fixtures';
import { RawClient } from './support/raw-client';
import { OPEN_ACCESS, TokenFactory } from './support/token-factory';

const GRACE_MS = 300;
const WINDOW_MS = 250;
const CANT_AUTH =
  "-ERR Can't execute 'auth': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('startRedisGateway › token expiry', () => {
  let tokens: TokenFactory;
  let server: RedisServer;
  let gateway: RedisGateway;
  const evictions: EvictedEvent[] = [];
  const raws: RawClient[] = [];

  async function raw(): Promise<RawClient> {
    const client = await RawClient.open(gateway.port);
    raws.push(client);
    return client;
  }

  beforeAll(async () => {
    tokens = await TokenFactory.create();
    server = await startBackend();
    gateway = await startRedisGateway({
      jwks: tokens.jwks,
      ...OPEN_ACCESS,
      graceMs: GRACE_MS,
      backend: { host: server.host, port: server.port },
    });
    gateway.on('evicted', (event) => evictions.push(event));
  });

  afterEach(() => {
    for (const client of raws.splice(0)) client.destroy();
  });

  afterAll(async () => {
    await gateway.stop();
    await server.stop();
  });

  it('closes a connection within 250 ms after its token expiry + graceMs', async () => {
    const { token, oid, expiresAtMs } = await tokens.mint({ lifetimeMs: 1000 });
    const client = await raw();
    client.command('AUTH', oid, token).command('PING');
    expect(await client.read(2)).toEqual(['+OK\r\n', '+PONG\r\n']);
    expect(gateway.connections().find((c) => c.identity === oid)?.tokenExpiresAtMs).toBe(expiresAtMs);
    const closedAtMs = await client.closed;
    expect(closedAtMs).toBeGreaterThanOrEqual(expiresAtMs + GRACE_MS);
    expect(closedAtMs).toBeLessThanOrEqual(expiresAtMs + GRACE_MS + WINDOW_MS);
    const eviction = evictions.find((e) => e.identity === oid);
    expect(eviction).toMatchObject({ reason: 'token-expired', tokenExpiresAtMs: expiresAtMs });
    expect(gateway.connections().some((c) => c.identity === oid)).toBe(false);
  });

  it('closes a node-redis connection at expiry: the client sees a plain socket close', async () => {
    const { token, oid, expiresAtMs } = await tokens.mint({ lifetimeMs: 1000 });
    const client = createClient({
      url: gateway.url,
      username: oid,
      password: token,
      socket: { reconnectStrategy: false },
    });
    const closed = new Promise<{ atMs: number; error: Error }>((resolve) =>
      client.on('error', (error: Error) => resolve({ atMs: Date.now(), error })),
    );
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    const { atMs, error } = await closed;
    expect(atMs).toBeGreaterThanOrEqual(expiresAtMs + GRACE_MS);
    expect(atMs).toBeLessThanOrEqual(expiresAtMs + GRACE_MS + WINDOW_MS);
    expect(error.message).toBe('Socket closed unexpectedly');
    expect(client.isReady).toBe(false);
    client.destroy();
  });

  it('keeps a connection open past the first expiry after a valid re-AUTH', async () => {
    const first = await tokens.mint({ lifetimeMs: 1000 });
    const second = await tokens.mint({ oid: first.oid, lifetimeMs: 60_000 });
    const client = await raw();
    client.command('AUTH', first.oid, first.token);
    expect(await client.read(1)).toEqual(['+OK\r\n']);
    client.command('AUTH', first.oid, second.token);
    expect(await client.read(2)).toEqual(['+OK\r\n', '+OK\r\n']);
    await sleep(first.expiresAtMs + GRACE_MS + WINDOW_MS - Date.now());
    client.command('PING');
    expect(await client.read(3)).toEqual(['+OK\r\n', '+OK\r\n', '+PONG\r\n']);
    expect(client.closedAtMs).toBeUndefined();
    expect(gateway.connections().find((c) => c.identity === first.oid)).toMatchObject({
      authCount: 2,
      tokenExpiresAtMs: second.expiresAtMs,
    });
  });

  it('evicts a RESP2 subscribed connection at expiry: Redis refuses its re-AUTH', async () => {
    const first = await tokens.mint({ lifetimeMs: 1000 });
    const second = await tokens.mint({ oid: first.oid, lifetimeMs: 60_000 });
    const client = await raw();
    client.command('AUTH', first.oid, first.token).command('SUBSCRIBE', 'news');
    expect(await client.read(2)).toEqual(['+OK\r\n', '*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n']);
    client.command('AUTH', first.oid, second.token).command('PING');
    expect((await client.read(4)).slice(2)).toEqual([CANT_AUTH, '*2\r\n$4\r\npong\r\n$0\r\n\r\n']);
    expect(gateway.connections().find((c) => c.identity === first.oid)).toMatchObject({
      protocol: 2,
      subscribed: true,
      authCount: 1,
      authFailedCount: 1,
    });
    expect(gateway.authLog().at(-1)).toMatchObject({
      ok: false,
      reason: 'refused-by-redis',
      command: 'AUTH',
    });
    const closedAtMs = await client.closed;
    expect(closedAtMs).toBeGreaterThanOrEqual(first.expiresAtMs + GRACE_MS);
    expect(closedAtMs).toBeLessThanOrEqual(first.expiresAtMs + GRACE_MS + WINDOW_MS);
  });

  it('lets a RESP3 subscribed connection re-AUTH and keeps it (and its messages) past the first expiry', async () => {
    // 2.5 s: the subscriber must connect, subscribe and re-AUTH before this token expires, also on a loaded machine.
    const first = await tokens.mint({ lifetimeMs: 2500 });
    const second = await tokens.mint({ oid: first.oid, lifetimeMs: 60_000 });
    const subscriber = createClient({
      url: gateway.url,
      RESP: 3,
      username: first.oid,
      password: first.token,
      socket: { reconnectStrategy: false },
    });
    const publisher = createClient({ url: gateway.url, username: second.oid, password: second.token });
    const messages: string[] = [];
    await Promise.all([subscriber.connect(), publisher.connect()]);
    try {
      await subscriber.subscribe('news', (message) => messages.push(message));
      expect(await subscriber.sendCommand(['AUTH', first.oid, second.token])).toBe('OK');
      await sleep(first.expiresAtMs + GRACE_MS + WINDOW_MS - Date.now());
      expect(subscriber.isReady).toBe(true);
      expect(await publisher.publish('news', 'still here')).toBe(1);
      await sleep(50);
      expect(messages).toEqual(['still here']);
      const info = gateway.connections().find((c) => c.protocol === 3 && c.subscribed);
      expect(info).toMatchObject({ identity: first.oid, authCount: 2, tokenExpiresAtMs: second.expiresAtMs });
    } finally {
      subscriber.destroy();
      publisher.destroy();
    }
  });

  it('kill() closes the chosen connections at once with reason killed', async () => {
    const { token, oid } = await tokens.mint();
    const other = await tokens.mint();
    const victim = await raw();
    const bystander = await raw();
    victim.command('AUTH', oid, token);
    bystander.command('AUTH', other.oid, other.token);
    await Promise.all([victim.read(1), bystander.read(1)]);
    expect(gateway.kill({ identity: oid })).toBe(1);
    await victim.closed;
    expect(evictions.at(-1)).toMatchObject({ reason: 'killed', identity: oid });
    bystander.command('PING');
    expect(await bystander.read(2)).toEqual(['+OK\r\n', '+PONG\r\n']);
    expect(gateway.stats().evictedByReason.killed).toBe(1);
  });
});
