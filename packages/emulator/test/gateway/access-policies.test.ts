import { createClient } from 'redis';
import {
  BUILT_IN_ACCESS_POLICIES,
  type EvictedEvent,
  GatewayOptionError,
  type RedisGateway,
  type RedisServer,
  startRedisGateway,
} from '../../src';
import { startBackend } from './support/fixtures';
import { RawClient } from './support/raw-client';
import { TENANT_ID, TokenFactory } from './support/token-factory';

const WRONGPASS = '-WRONGPASS invalid username-password pair or user is disabled.\r\n';
const OK = '+OK\r\n';
const noPerm = (command: string) =>
  `-NOPERM this user has no permissions to run the '${command}' command\r\n`;

describe('startRedisGateway › data access policies', () => {
  let tokens: TokenFactory;
  let server: RedisServer;
  let gateway: RedisGateway;
  const raws: RawClient[] = [];

  async function authenticated(oid: string): Promise<RawClient> {
    const { token } = await tokens.mint({ oid });
    const client = await RawClient.open(gateway.port);
    raws.push(client);
    client.command('AUTH', oid, token);
    expect(await client.read(1)).toEqual([OK]);
    client.replies.length = 0;
    return client;
  }

  async function run(client: RawClient, ...commands: string[][]): Promise<string[]> {
    const before = client.replies.length;
    for (const command of commands) client.command(...command);
    return (await client.read(before + commands.length)).slice(before);
  }

  beforeAll(async () => {
    tokens = await TokenFactory.create();
    server = await startBackend();
    gateway = await startRedisGateway({
      jwks: tokens.jwks,
      tenants: [TENANT_ID],
      backend: { host: server.host, port: server.port },
      accessPolicies: [{ name: 'Cache writer', permissions: '+get +set ~cache:*' }],
      accessPolicyAssignments: [
        { objectId: 'owner-oid', accessPolicyName: 'Data Owner' },
        { objectId: 'contributor-oid', accessPolicyName: 'Data Contributor' },
        { objectId: 'reader-oid', accessPolicyName: 'Data Reader' },
        { objectId: 'writer-oid', accessPolicyName: 'Cache writer' },
      ],
    });
  });

  afterEach(() => {
    for (const client of raws.splice(0)) client.destroy();
  });

  afterAll(async () => {
    await gateway.stop();
    await server.stop();
  });

  describe('who gets in', () => {
    it('refuses a validly signed token of a principal without an assignment with WRONGPASS, as Azure does', async () => {
      const { token, oid } = await tokens.mint();
      const client = await RawClient.open(gateway.port);
      raws.push(client);
      client.command('AUTH', oid, token).command('HELLO', '3', 'AUTH', oid, token).command('GET', 'k');
      expect(await client.read(3)).toEqual([WRONGPASS, WRONGPASS, '-NOAUTH Authentication required.\r\n']);
      expect(gateway.authLog().slice(-2)).toEqual([
        expect.objectContaining({ ok: false, reason: 'no-access-policy', command: 'AUTH' }),
        expect.objectContaining({ ok: false, reason: 'no-access-policy', command: 'HELLO' }),
      ]);
    });

    it('lists the built-in policies with Azure’s permissions, then the custom ones', () => {
      expect(gateway.accessPolicies()).toEqual([
        { name: 'Data Owner', permissions: '+@all allkeys' },
        {
          name: 'Data Contributor',
          permissions: '+@all -@dangerous +cluster|info +cluster|nodes +cluster|slots allkeys',
        },
        { name: 'Data Reader', permissions: expect.stringMatching(/^\+@read \+@connection -client /) },
        { name: 'Cache writer', permissions: '+get +set ~cache:*' },
      ]);
      expect(BUILT_IN_ACCESS_POLICIES.map((policy) => policy.name)).toEqual([
        'Data Owner',
        'Data Contributor',
        'Data Reader',
      ]);
    });
  });

  describe('what each policy allows (NOPERM from redis-server outside it)', () => {
    it('Data Owner: every command, dangerous ones included', async () => {
      const client = await authenticated('owner-oid');
      expect(await run(client, ['SET', 'o', '1'], ['ACL', 'WHOAMI'], ['DBSIZE'])).toEqual([
        OK,
        '$9\r\nowner-oid\r\n',
        expect.stringMatching(/^:\d+\r\n$/),
      ]);
      expect((await run(client, ['KEYS', 'o']))[0]).toBe('*1\r\n$1\r\no\r\n');
    });

    it('Data Contributor: reads and writes, pub/sub, but no @dangerous command', async () => {
      const client = await authenticated('contributor-oid');
      expect(await run(client, ['SET', 'c', '1'], ['GET', 'c'], ['PUBLISH', 'ch', 'm'])).toEqual([
        OK,
        '$1\r\n1\r\n',
        ':0\r\n',
      ]);
      expect(await run(client, ['FLUSHALL'], ['KEYS', '*'], ['CONFIG', 'GET', 'maxmemory'])).toEqual([
        noPerm('flushall'),
        noPerm('keys'),
        noPerm('config|get'),
      ]);
    });

    it('Data Reader: reads and connection commands only', async () => {
      const client = await authenticated('reader-oid');
      expect(await run(client, ['GET', 'c'], ['CLIENT', 'ID'], ['PING'])).toEqual([
        '$1\r\n1\r\n',
        expect.stringMatching(/^:\d+\r\n$/),
        '+PONG\r\n',
      ]);
      expect(await run(client, ['SET', 'c', '2'], ['DEL', 'c'], ['CLIENT', 'KILL', 'ID', '1'])).toEqual([
        noPerm('set'),
        noPerm('del'),
        noPerm('client|kill'),
      ]);
      expect((await run(client, ['SUBSCRIBE', 'ch']))[0]).toBe(noPerm('subscribe'));
    });

    it('a custom policy: its commands on its keys only', async () => {
      const client = await authenticated('writer-oid');
      expect(await run(client, ['SET', 'cache:1', 'v'], ['GET', 'cache:1'], ['DEL', 'cache:1'])).toEqual([
        OK,
        '$1\r\nv\r\n',
        noPerm('del'),
      ]);
      expect((await run(client, ['SET', 'other', 'v']))[0]).toBe(
        '-NOPERM this user has no permissions to access one of the keys used as arguments\r\n',
      );
    });

    it('reaches node-redis as an error of the command, the connection staying usable', async () => {
      const { token } = await tokens.mint({ oid: 'reader-oid' });
      const client = createClient({ url: gateway.url, username: 'reader-oid', password: token });
      await client.connect();
      try {
        await expect(client.set('c', '3')).rejects.toThrow(/^NOPERM/);
        expect(await client.ping()).toBe('PONG');
      } finally {
        client.destroy();
      }
    });
  });

  describe('changes at run time', () => {
    it('lets a principal in once it is assigned a policy', async () => {
      const { token, oid } = await tokens.mint();
      const client = await RawClient.open(gateway.port);
      raws.push(client);
      client.command('AUTH', oid, token);
      expect(await client.read(1)).toEqual([WRONGPASS]);
      await gateway.assignAccessPolicy({ objectId: oid, accessPolicyName: 'Data Reader' });
      expect(gateway.accessPolicyAssignments()).toContainEqual({
        objectId: oid,
        accessPolicyName: 'Data Reader',
      });
      client.command('AUTH', oid, token).command('SET', 'k', 'v');
      expect(await client.read(3)).toEqual([WRONGPASS, OK, noPerm('set')]);
    });

    it('applies a changed assignment to live connections at once', async () => {
      const { oid } = await tokens.mint();
      await gateway.assignAccessPolicy({ objectId: oid, accessPolicyName: 'Data Owner' });
      const client = await authenticated(oid);
      expect(await run(client, ['SET', 'live', '1'])).toEqual([OK]);
      await gateway.assignAccessPolicy({ objectId: oid, accessPolicyName: 'Data Reader' });
      expect(await run(client, ['SET', 'live', '2'], ['GET', 'live'])).toEqual([
        noPerm('set'),
        '$1\r\n1\r\n',
      ]);
    });

    it('applies a changed custom policy to the principals holding it', async () => {
      await gateway.setAccessPolicy({ name: 'Narrow', permissions: '+get allkeys' });
      const { oid } = await tokens.mint();
      await gateway.assignAccessPolicy({ objectId: oid, accessPolicyName: 'Narrow' });
      const client = await authenticated(oid);
      expect(await run(client, ['SET', 'n', '1'])).toEqual([noPerm('set')]);
      await gateway.setAccessPolicy({ name: 'Narrow', permissions: '+get +set allkeys' });
      expect(await run(client, ['SET', 'n', '1'])).toEqual([OK]);
    });

    it('closes the live connections of a principal whose assignment is removed, and refuses it afterwards', async () => {
      const { token, oid } = await tokens.mint();
      await gateway.assignAccessPolicy({ objectId: oid, accessPolicyName: 'Data Owner' });
      const client = await authenticated(oid);
      const evicted = new Promise<EvictedEvent>((resolve) => gateway.once('evicted', resolve));
      expect(await gateway.removeAccessPolicyAssignment(oid)).toBe(true);
      expect(await evicted).toMatchObject({ reason: 'access-revoked', identity: oid });
      expect(await client.closed).toBeGreaterThan(0);
      const again = await RawClient.open(gateway.port);
      raws.push(again);
      again.command('AUTH', oid, token);
      expect(await again.read(1)).toEqual([WRONGPASS]);
      expect(gateway.authLog().at(-1)).toMatchObject({ reason: 'no-access-policy' });
      expect(await gateway.removeAccessPolicyAssignment(oid)).toBe(false);
    });

    it('refuses to delete a policy someone holds, or a built-in one', async () => {
      await gateway.setAccessPolicy({ name: 'Held', permissions: '+get allkeys' });
      await gateway.assignAccessPolicy({ objectId: 'holder-oid', accessPolicyName: 'Held' });
      await expect(gateway.removeAccessPolicy('Held')).rejects.toThrow(/holder-oid/);
      await expect(gateway.removeAccessPolicy('Data Reader')).rejects.toBeInstanceOf(GatewayOptionError);
      await gateway.removeAccessPolicyAssignment('holder-oid');
      expect(await gateway.removeAccessPolicy('Held')).toBe(true);
      expect(await gateway.removeAccessPolicy('Held')).toBe(false);
    });

    it('rejects an assignment to an unknown policy, naming it', async () => {
      await expect(
        gateway.assignAccessPolicy({ objectId: 'x', accessPolicyName: 'Owner' }),
      ).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        option: 'assignment.accessPolicyName',
      });
    });
  });

  describe('defaultAccessPolicy (a leniency Azure does not have)', () => {
    it('gives every principal without an assignment the named policy', async () => {
      const open = await startRedisGateway({
        jwks: tokens.jwks,
        tenants: [TENANT_ID],
        backend: { host: server.host, port: server.port },
        defaultAccessPolicy: 'Data Reader',
      });
      try {
        const { token, oid } = await tokens.mint();
        const client = await RawClient.open(open.port);
        raws.push(client);
        client.command('AUTH', oid, token).command('GET', 'k').command('SET', 'k', 'v');
        expect(await client.read(3)).toEqual([OK, expect.stringMatching(/^\$/), noPerm('set')]);
      } finally {
        await open.stop();
      }
    });
  });
});
