import { createClient } from 'redis';
import {
  DEFAULT_REDIS_AUDIENCES,
  GatewayOptionError,
  type RedisGatewayOptions,
  startRedisClusterGateway,
  startRedisGateway,
} from '../../src';
import { OPEN_ACCESS, TENANT_ID, TokenFactory } from './support/token-factory';

describe('startRedisGateway › options', () => {
  let tokens: TokenFactory;

  beforeAll(async () => {
    tokens = await TokenFactory.create();
  });

  it.each<[string, Partial<RedisGatewayOptions>]>([
    ['jwks', { jwks: 'not a url' as never }],
    ['jwks', { jwks: { nokeys: true } as never }],
    ['tenants', { tenants: undefined as never }],
    ['tenants', { tenants: [] }],
    ['tenants', { tenants: 'all' as never }],
    ['audiences', { audiences: [] }],
    ['accessPolicies[0].permissions', { accessPolicies: [{ name: 'p', permissions: '+get >password' }] }],
    ['accessPolicies[0].name', { accessPolicies: [{ name: 'Data Owner', permissions: '+get' }] }],
    [
      'accessPolicyAssignments[0].accessPolicyName',
      { accessPolicyAssignments: [{ objectId: 'oid-1', accessPolicyName: 'Nope' }] },
    ],
    ['defaultAccessPolicy', { defaultAccessPolicy: 'Owner' }],
    ['issuers', { issuers: 'https://issuer' as never }],
    ['algorithms', { algorithms: [] }],
    ['graceMs', { graceMs: -1 }],
    ['clockToleranceMs', { clockToleranceMs: Number.NaN }],
    ['passwordOnlyUsername', { passwordOnlyUsername: 'admin' as never }],
    ['authLogLimit', { authLogLimit: 1.5 }],
    ['port', { port: 70000 }],
    ['host', { host: '' }],
    ['backend', { backend: { host: '127.0.0.1', port: 0 } }],
    ['tls', { tls: { certPem: '', keyPem: '' } }],
  ])(
    'rejects an invalid %s with GatewayOptionError (code INVALID_OPTION) naming it',
    async (option, override) => {
      const error = await startRedisGateway({
        jwks: tokens.jwks,
        tenants: [TENANT_ID],
        ...override,
      } as RedisGatewayOptions).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayOptionError);
      expect(error).toMatchObject({ code: 'INVALID_OPTION', option });
      expect((error as Error).message).toContain(`"${option}"`);
    },
  );

  it('rejects an invalid cluster size before starting anything', async () => {
    await expect(
      startRedisClusterGateway({ jwks: tokens.jwks, tenants: [TENANT_ID], masters: 0 }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      option: 'masters',
    });
  });

  it('accepts the Azure Cache for Redis audiences by default, in the forms Entra issues them', () => {
    expect(DEFAULT_REDIS_AUDIENCES).toEqual([
      'https://redis.azure.com',
      'https://redis.azure.com/',
      'acca5fbb-b7e4-4009-81f1-37e38fd66d78',
    ]);
  });

  it('starts (and stops) its own redis-server when no backend is given; both default audiences work', async () => {
    const gateway = await startRedisGateway({ jwks: () => tokens.jwks, ...OPEN_ACCESS });
    try {
      expect(gateway.host).toBe('127.0.0.1');
      expect(gateway.url).toBe(`redis://127.0.0.1:${gateway.port}`);
      for (const audience of DEFAULT_REDIS_AUDIENCES) {
        const { token, oid } = await tokens.mint({ audience });
        const client = createClient({ url: gateway.url, username: oid, password: token });
        await client.connect();
        expect(await client.ping()).toBe('PONG');
        client.destroy();
      }
    } finally {
      await gateway.stop();
    }
    const backend = createClient({ socket: { ...gateway.backend, reconnectStrategy: false } });
    backend.on('error', () => undefined);
    await expect(backend.connect()).rejects.toThrow();
  });

  it("takes the username from the token for AUTH <token> when passwordOnlyUsername is 'oid'", async () => {
    const gateway = await startRedisGateway({
      jwks: tokens.jwks,
      ...OPEN_ACCESS,
      passwordOnlyUsername: 'oid',
    });
    try {
      const { token, oid } = await tokens.mint();
      const client = createClient({ url: gateway.url, RESP: 2, password: token });
      await client.connect();
      expect(await client.sendCommand(['ACL', 'WHOAMI'])).toBe(oid);
      client.destroy();
    } finally {
      await gateway.stop();
    }
  });

  it('accepts tokens within clockToleranceMs of expiry and does not evict them at once', async () => {
    const gateway = await startRedisGateway({
      jwks: tokens.jwks,
      ...OPEN_ACCESS,
      clockToleranceMs: 60_000,
    });
    try {
      const { token, oid } = await tokens.mint({ lifetimeMs: -5000 });
      const client = createClient({ url: gateway.url, username: oid, password: token });
      await client.connect();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await client.ping()).toBe('PONG');
      expect(gateway.stats()).toMatchObject({ authOk: 1, evicted: 0 });
      client.destroy();
    } finally {
      await gateway.stop();
    }
  });
});
