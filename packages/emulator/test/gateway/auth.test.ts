import { inspect } from 'node:util';
import { createClient } from 'redis';
import { type RedisGateway, type RedisServer, startRedisGateway } from '../../src';
import { startBackend } from './support/fixtures';
import { RawClient } from './support/raw-client';
import { ISSUER, type MintOptions, OPEN_ACCESS, TokenFactory } from './support/token-factory';

const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
const NOAUTH = '-NOAUTH Authentication required.\r\n';

describe('startRedisGateway › authentication', () => {
  let tokens: TokenFactory;
  let server: RedisServer;
  let gateway: RedisGateway;
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
      issuers: [ISSUER],
      backend: { host: server.host, port: server.port },
    });
  });

  afterEach(() => {
    for (const client of raws.splice(0)) client.destroy();
  });

  afterAll(async () => {
    await gateway.stop();
    await server.stop();
  });

  describe('with node-redis', () => {
    it.each([2, 3] as const)(
      'accepts RESP%i (AUTH / HELLO 3 AUTH) and runs commands, pipelines and MULTI',
      async (RESP) => {
        const { token, oid } = await tokens.mint();
        const client = createClient({ url: gateway.url, RESP, username: oid, password: token });
        await client.connect();
        try {
          await client.set(`k${RESP}`, 'v');
          expect(await client.get(`k${RESP}`)).toBe('v');
          const pipelined = await Promise.all(Array.from({ length: 200 }, () => client.incr(`n${RESP}`)));
          expect(pipelined).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
          const results = await client.multi().set(`m${RESP}`, '1').incr(`m${RESP}`).get(`m${RESP}`).exec();
          expect(results).toEqual(['OK', 2, '2']);
          // The backend user is named after the token's oid, so the identity is visible in Redis too.
          expect(await client.sendCommand(['ACL', 'WHOAMI'])).toBe(oid);
          const info = gateway.connections().find((c) => c.identity === oid);
          expect(info).toMatchObject({ protocol: RESP, authCount: 1, subscribed: false });
        } finally {
          client.destroy();
        }
      },
    );

    it('fails createClient with WRONGPASS for an expired token', async () => {
      const { token, oid } = await tokens.mint({ lifetimeMs: -10_000 });
      const client = createClient({
        url: gateway.url,
        username: oid,
        password: token,
        socket: { reconnectStrategy: false },
      });
      client.on('error', () => undefined);
      await expect(client.connect()).rejects.toThrow(/WRONGPASS/);
    });
  });

  describe('refused tokens', () => {
    const cases: Array<[string, string, MintOptions, string | undefined]> = [
      ['a username that is not the oid', 'username-mismatch', {}, 'someone-else'],
      ['an expired token', 'expired', { lifetimeMs: -5000 }, undefined],
      ['a token not yet valid', 'not-yet-valid', { notBeforeMs: 120_000 }, undefined],
      ['a token signed by an unknown key', 'bad-signature', { foreignKey: true }, undefined],
      [
        'a token for another audience',
        'wrong-audience',
        { audience: 'https://storage.azure.com' },
        undefined,
      ],
      ['a Microsoft Graph token', 'wrong-audience', { audience: 'https://graph.microsoft.com' }, undefined],
      ['a token from another issuer', 'wrong-issuer', { issuer: 'https://sts.example.com/' }, undefined],
      [
        'a token of another tenant',
        'wrong-tenant',
        { tenantId: '00000000-0000-4000-8000-00000000beef' },
        undefined,
      ],
      ['a token without oid', 'malformed', { omitOid: true }, undefined],
    ];

    it.each(cases)(
      'refuses %s with WRONGPASS (reason %s) on AUTH and on HELLO 3 AUTH',
      async (_, reason, mint, user) => {
        const { token, oid } = await tokens.mint(mint);
        const failures: string[] = [];
        const listener = (event: { reason: string }) => failures.push(event.reason);
        gateway.on('authFailed', listener);
        const client = await raw();
        client
          .command('AUTH', user ?? oid, token)
          .command('HELLO', '3', 'AUTH', user ?? oid, token)
          .command('PING');
        expect(await client.read(3)).toEqual([WRONGPASS, WRONGPASS, NOAUTH]);
        gateway.off('authFailed', listener);
        expect(failures).toEqual([reason, reason]);
      },
    );

    it('refuses a string that is not a JWT as malformed', async () => {
      const client = await raw();
      client.command('AUTH', 'someone', 'not-a-jwt');
      expect(await client.read(1)).toEqual([WRONGPASS]);
      expect(gateway.authLog().at(-1)).toMatchObject({ ok: false, reason: 'malformed', command: 'AUTH' });
    });

    it('treats AUTH <token> as user "default", which is refused', async () => {
      const { token } = await tokens.mint();
      const client = await raw();
      client.command('AUTH', token).command('GET', 'k');
      expect(await client.read(2)).toEqual([WRONGPASS, NOAUTH]);
      expect(gateway.authLog().at(-1)).toMatchObject({ ok: false, reason: 'username-mismatch' });
    });
  });

  describe('unauthenticated connections', () => {
    it('answers exactly like redis-server with requirepass', async () => {
      const protectedServer = await startBackend(['--requirepass', 'not-the-token']);
      const script =
        'PING\r\nHELLO 3\r\nHELLO\r\nHELLO 4\r\nHELLO abc\r\nHELLO 3 FOO\r\nHELLO 3 AUTH default\r\nGET k\r\n' +
        '*1\r\n$4\r\nAUTH\r\n*4\r\n$4\r\nAUTH\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\nMULTI\r\nEXEC\r\nSUBSCRIBE ch\r\n' +
        'RESET\r\nQUIT\r\n';
      try {
        const direct = await RawClient.open(protectedServer.port);
        raws.push(direct);
        direct.write(script);
        const viaGateway = await raw();
        viaGateway.write(script);
        const expected = await direct.read(15);
        expect(expected).toHaveLength(15);
        expect(await viaGateway.read(15)).toEqual(expected);
        expect(await viaGateway.closed).toBeGreaterThan(0);
      } finally {
        await protectedServer.stop();
      }
    });

    it('keeps the reply order when refusals and forwarded replies interleave', async () => {
      const { token, oid } = await tokens.mint();
      const client = await raw();
      client.write(
        `GET a\r\n*3\r\n$4\r\nAUTH\r\n$${oid.length}\r\n${oid}\r\n$${token.length}\r\n${token}\r\n` +
          'SET a 1\r\nAUTH x not-a-token\r\nGET a\r\nECHO done\r\n',
      );
      expect(await client.read(6)).toEqual([
        NOAUTH,
        '+OK\r\n',
        '+OK\r\n',
        WRONGPASS,
        '$1\r\n1\r\n',
        '$4\r\ndone\r\n',
      ]);
    });
  });

  describe('re-authentication', () => {
    it('keeps the previous identity when a re-AUTH is refused', async () => {
      const first = await tokens.mint();
      const expired = await tokens.mint({ oid: first.oid, lifetimeMs: -5000 });
      const client = await raw();
      client
        .command('AUTH', first.oid, first.token)
        .command('AUTH', first.oid, expired.token)
        .command('ACL', 'WHOAMI');
      expect(await client.read(3)).toEqual([
        '+OK\r\n',
        WRONGPASS,
        `$${first.oid.length}\r\n${first.oid}\r\n`,
      ]);
      const info = gateway.connections().find((c) => c.identity === first.oid);
      expect(info).toMatchObject({ authCount: 1, authFailedCount: 1, tokenExpiresAtMs: first.expiresAtMs });
    });

    it('switches identity and expiry on a valid re-AUTH with another principal', async () => {
      const first = await tokens.mint({ lifetimeMs: 60_000 });
      const second = await tokens.mint({ lifetimeMs: 120_000 });
      const client = await raw();
      client
        .command('AUTH', first.oid, first.token)
        .command('AUTH', second.oid, second.token)
        .command('ACL', 'WHOAMI');
      expect(await client.read(3)).toEqual([
        '+OK\r\n',
        '+OK\r\n',
        `$${second.oid.length}\r\n${second.oid}\r\n`,
      ]);
      expect(gateway.connections().find((c) => c.identity === second.oid)).toMatchObject({
        authCount: 2,
        tokenExpiresAtMs: second.expiresAtMs,
      });
    });

    it('applies an AUTH queued inside MULTI when EXEC runs, like redis-server', async () => {
      const first = await tokens.mint();
      const second = await tokens.mint();
      const client = await raw();
      client
        .command('AUTH', first.oid, first.token)
        .command('MULTI')
        .command('AUTH', second.oid, second.token);
      client.command('ACL', 'WHOAMI');
      expect(await client.read(4)).toEqual(['+OK\r\n', '+OK\r\n', '+QUEUED\r\n', '+QUEUED\r\n']);
      // Queued, not yet applied.
      expect(gateway.connections().some((c) => c.identity === first.oid)).toBe(true);
      client.command('EXEC');
      expect((await client.read(5))[4]).toBe(`*2\r\n+OK\r\n$${second.oid.length}\r\n${second.oid}\r\n`);
      expect(gateway.connections().find((c) => c.identity === second.oid)).toMatchObject({ authCount: 2 });
    });

    it('drops an AUTH queued inside a discarded MULTI', async () => {
      const first = await tokens.mint();
      const second = await tokens.mint();
      const client = await raw();
      client
        .command('AUTH', first.oid, first.token)
        .command('MULTI')
        .command('AUTH', second.oid, second.token);
      client.command('DISCARD').command('ACL', 'WHOAMI');
      expect((await client.read(5))[4]).toBe(`$${first.oid.length}\r\n${first.oid}\r\n`);
      expect(gateway.connections().find((c) => c.identity === first.oid)).toMatchObject({ authCount: 1 });
    });

    it('words a refused token queued inside MULTI as redis-server does (error inside EXEC)', async () => {
      const first = await tokens.mint();
      const client = await raw();
      client
        .command('AUTH', first.oid, first.token)
        .command('MULTI')
        .command('AUTH', first.oid, 'bad')
        .command('EXEC');
      expect(await client.read(4)).toEqual(['+OK\r\n', '+OK\r\n', '+QUEUED\r\n', `*1\r\n${WRONGPASS}`]);
    });
  });

  describe('secrets', () => {
    it('never exposes a token in connections(), stats(), authLog(), events or inspect output', async () => {
      const { token, oid } = await tokens.mint();
      const expired = await tokens.mint({ oid, lifetimeMs: -5000 });
      const events: unknown[] = [];
      const record = (event: unknown) => events.push(event);
      gateway.on('authOk', record).on('authFailed', record);
      const client = createClient({ url: gateway.url, username: oid, password: token });
      await client.connect();
      await client.sendCommand(['AUTH', oid, expired.token]).catch(() => undefined);
      const views = [
        JSON.stringify(gateway.connections()),
        JSON.stringify(gateway.stats()),
        JSON.stringify(gateway.authLog()),
        JSON.stringify(events),
        inspect(gateway, { depth: 10, showHidden: true }),
        inspect(gateway.connections(), { depth: 10 }),
      ].join('\n');
      client.destroy();
      gateway.off('authOk', record).off('authFailed', record);
      expect(events.length).toBeGreaterThanOrEqual(2);
      expect(views).toContain(oid);
      for (const secret of [token, expired.token, token.split('.')[2], expired.token.split('.')[2]]) {
        expect(views).not.toContain(secret);
      }
    });
  });
});
