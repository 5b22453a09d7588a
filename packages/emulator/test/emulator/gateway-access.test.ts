import { createClient } from 'redis';
import {
  DEFAULT_REDIS_AUDIENCES,
  DEFAULT_SYSTEM_MI_CLIENT_ID,
  DEFAULT_TENANT_ID,
  DEFAULT_USER_MI_CLIENT_ID,
  DEFAULT_USER_OID,
  type IssueAccessTokenOptions,
  type LocalAzureRedis,
  REDIS_RESOURCE,
  type RedisGateway,
  startEmulator,
} from '../../src';

const GRAPH = { identifierUri: 'https://graph.microsoft.com', appId: '00000003-0000-0000-c000-000000000000' };
const OTHER_TENANT = '99999999-9999-4999-8999-999999999999';

/** Connects with a token and runs PING; resolves with the reply or the server's refusal. */
async function ping(azure: LocalAzureRedis, token: { accessToken: string; oid: string }): Promise<string> {
  const client = createClient({
    url: azure.redisUrl,
    username: token.oid,
    password: token.accessToken,
    socket: { reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.ping();
  } catch (error) {
    return (error as Error).message;
  } finally {
    client.destroy();
  }
}

describe('startEmulator › who the gateway lets in (Azure’s defaults)', () => {
  let azure: LocalAzureRedis<RedisGateway>;

  beforeAll(async () => {
    azure = await startEmulator({
      entra: {
        tenants: [{ tenantId: DEFAULT_TENANT_ID }, { tenantId: OTHER_TENANT }],
        resources: [REDIS_RESOURCE, GRAPH],
      },
    });
  });
  afterAll(() => azure.stop());

  it.each<[string, IssueAccessTokenOptions]>([
    ['the ready-made app', {}],
    ['the user', { kind: 'user' }],
    ['the system-assigned managed identity', { kind: 'managed-identity' }],
    ['the user-assigned managed identity', { kind: 'managed-identity', clientId: DEFAULT_USER_MI_CLIENT_ID }],
  ])('gives %s (registered at start) Data Owner', async (_who, options) => {
    const token = await azure.issueAccessToken(options);
    expect(await ping(azure, token)).toBe('PONG');
  });

  it('lists those principals with Data Owner, and nobody else', () => {
    const assignments = azure.gateway.accessPolicyAssignments();
    expect(assignments.map((a) => a.objectId).sort()).toEqual(
      azure.entra
        .principals()
        .map((p) => p.objectId)
        .sort(),
    );
    expect(new Set(assignments.map((a) => a.accessPolicyName))).toEqual(new Set(['Data Owner']));
    expect(assignments).toContainEqual({ objectId: DEFAULT_USER_OID, accessPolicyName: 'Data Owner' });
  });

  it('refuses an app registered later until it is assigned a policy', async () => {
    azure.entra.addApp({ clientId: 'later-app', secrets: ['s'] });
    const token = await azure.issueAccessToken({ clientId: 'later-app' });
    expect(await ping(azure, token)).toMatch(/^WRONGPASS/);
    expect(azure.gateway.authLog().at(-1)).toMatchObject({ ok: false, reason: 'no-access-policy' });
    await azure.gateway.assignAccessPolicy({ objectId: token.oid, accessPolicyName: 'Data Contributor' });
    expect(await ping(azure, token)).toBe('PONG');
  });

  it('refuses a Microsoft Graph token although Graph is a registered resource', async () => {
    const token = await azure.issueAccessToken({ resource: GRAPH.identifierUri });
    expect(await ping(azure, token)).toMatch(/^WRONGPASS/);
    expect(azure.gateway.authLog().at(-1)).toMatchObject({ reason: 'wrong-audience' });
  });

  it('refuses a token of the emulator’s second tenant (the cache belongs to the first)', async () => {
    const token = await azure.issueAccessToken({ tenantId: OTHER_TENANT });
    expect(await ping(azure, token)).toMatch(/^WRONGPASS/);
    expect(azure.gateway.authLog().at(-1)).toMatchObject({ reason: 'wrong-tenant' });
  });

  it('accepts Redis tokens in every audience form Entra issues (URI, URI with slash, app id)', async () => {
    for (const resource of [...DEFAULT_REDIS_AUDIENCES]) {
      const token = await azure.issueAccessToken({ resource });
      expect(await ping(azure, token)).toBe('PONG');
    }
  });
});

describe('startEmulator › gateway leniencies, each named', () => {
  it('accepts other audiences and tenants only when `gateway` says so', async () => {
    const azure = await startEmulator({
      entra: {
        tenants: [{ tenantId: DEFAULT_TENANT_ID }, { tenantId: OTHER_TENANT }],
        resources: [REDIS_RESOURCE, GRAPH],
      },
      gateway: { tenants: 'any', audiences: [...DEFAULT_REDIS_AUDIENCES, GRAPH.identifierUri] },
    });
    try {
      expect(await ping(azure, await azure.issueAccessToken({ resource: GRAPH.identifierUri }))).toBe('PONG');
      expect(await ping(azure, await azure.issueAccessToken({ tenantId: OTHER_TENANT }))).toBe('PONG');
    } finally {
      await azure.stop();
    }
  });

  it('replaces the default assignments with `accessPolicyAssignments`, and opens up with `defaultAccessPolicy`', async () => {
    const azure = await startEmulator({
      gateway: {
        accessPolicyAssignments: [{ objectId: DEFAULT_USER_OID, accessPolicyName: 'Data Reader' }],
      },
    });
    try {
      expect(await ping(azure, await azure.issueAccessToken({ kind: 'user' }))).toBe('PONG');
      const mi = await azure.issueAccessToken({
        kind: 'managed-identity',
        clientId: DEFAULT_SYSTEM_MI_CLIENT_ID,
      });
      expect(await ping(azure, mi)).toMatch(/^WRONGPASS/);
    } finally {
      await azure.stop();
    }
    const open = await startEmulator({
      gateway: { accessPolicyAssignments: [], defaultAccessPolicy: 'Data Owner' },
    });
    try {
      open.entra.addApp({ clientId: 'anyone', secrets: ['s'] });
      expect(await ping(open, await open.issueAccessToken({ clientId: 'anyone' }))).toBe('PONG');
    } finally {
      await open.stop();
    }
  });
});
