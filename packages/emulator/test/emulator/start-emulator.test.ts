import { inspect } from 'node:util';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { createClient } from 'redis';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  type LocalAzureRedis,
  type RedisGateway,
  startEmulator,
} from '../../src';
import { acceptsConnections, oidOf, processExists } from './support/probes';

describe('startEmulator', () => {
  let azure: LocalAzureRedis<RedisGateway>;
  let msalToken: string;

  beforeAll(async () => {
    azure = await startEmulator();
    const app = new ConfidentialClientApplication(azure.msalConfig());
    const result = await app.acquireTokenByClientCredential({ scopes: [azure.scope] });
    msalToken = result!.accessToken;
  });

  afterAll(async () => {
    await azure.stop();
  });

  describe('what a client needs', () => {
    it('describes a plain redis:// gateway, the authority, tenant and the ready-made app', () => {
      expect(azure.redisUrl).toBe(`redis://127.0.0.1:${azure.port}`);
      expect(azure.rootNodes).toEqual([{ url: azure.redisUrl }]);
      expect(azure.tls).toBe(false);
      expect(azure.cluster).toBe(false);
      expect(azure.authority).toBe(`${azure.authorityHost}/${azure.tenantId}`);
      expect(azure.authorityHost).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(azure.clientId).toBe(DEFAULT_CLIENT_ID);
      expect(azure.clientSecret).toBe(DEFAULT_CLIENT_SECRET);
      expect(azure.scope).toBe('https://redis.azure.com/.default');
      expect(azure.caPem).toContain('BEGIN CERTIFICATE');
      expect(azure.caPath).toBe(azure.entra.caPath);
      expect(azure.redisServers).toHaveLength(1);
      expect(azure.gateway.backend.port).toBe(azure.redisServers[0]!.port);
    });

    it('gives an MSAL config with the secret only for the ready-made app', () => {
      expect(azure.msalConfig().auth.clientSecret).toBe(DEFAULT_CLIENT_SECRET);
      azure.entra.addApp({ clientId: 'other-app', secrets: ['other-secret'] });
      expect(azure.msalConfig({ clientId: 'other-app' }).auth).not.toHaveProperty('clientSecret');
    });

    it('gives managed identity env for App Service and IMDS pointing at the emulator', () => {
      expect(azure.managedIdentityEnv('app-service')).toEqual({
        IDENTITY_ENDPOINT: `${azure.managedIdentityEndpoint}/msi/token`,
        IDENTITY_HEADER: azure.entra.identityHeader,
      });
      expect(azure.managedIdentityEnv('imds')).toEqual({
        AZURE_POD_IDENTITY_AUTHORITY_HOST: azure.managedIdentityEndpoint,
      });
    });

    it('keeps the client secret and the components out of util.inspect and JSON', () => {
      const shown = [inspect(azure, { depth: 10, showHidden: true }), JSON.stringify(azure)];
      for (const text of shown) {
        expect(text).toContain(azure.redisUrl);
        expect(text).not.toContain(DEFAULT_CLIENT_SECRET);
        expect(text).not.toContain(azure.entra.identityHeader);
      }
    });
  });

  describe('with real MSAL and node-redis', () => {
    it.each([2, 3] as const)('serves SET/GET over RESP%i with a token MSAL obtained', async (RESP) => {
      const client = createClient({
        url: azure.redisUrl,
        RESP,
        username: oidOf(msalToken),
        password: msalToken,
      });
      await client.connect();
      try {
        await client.set(`key-${RESP}`, `value-${RESP}`);
        expect(await client.get(`key-${RESP}`)).toBe(`value-${RESP}`);
      } finally {
        client.destroy();
      }
    });

    it('accepts a token minted by issueAccessToken for the same principal', async () => {
      const { accessToken, oid } = await azure.issueAccessToken();
      expect(oid).toBe(oidOf(msalToken));
      const client = createClient({ url: azure.redisUrl, username: oid, password: accessToken });
      await client.connect();
      try {
        expect(await client.ping()).toBe('PONG');
      } finally {
        client.destroy();
      }
    });

    it.each([
      ['a tampered signature', () => `${msalToken.slice(0, -6)}AAAAAA`, 'bad-signature'],
      ['another principal as username', () => msalToken, 'username-mismatch'],
    ] as const)('refuses %s with WRONGPASS', async (_case, token, reason) => {
      const before = azure.gateway.stats().authFailedByReason[reason] ?? 0;
      const username = reason === 'username-mismatch' ? 'someone-else' : oidOf(msalToken);
      const client = createClient({
        url: azure.redisUrl,
        username,
        password: token(),
        socket: { reconnectStrategy: false },
      });
      client.on('error', () => undefined);
      await expect(client.connect()).rejects.toThrow(/WRONGPASS/);
      expect(azure.gateway.stats().authFailedByReason[reason]).toBe(before + 1);
    });

    it('evicts a connection when its token expires', async () => {
      const { accessToken, oid } = await azure.issueAccessToken({ lifetimeSec: 1 });
      const client = createClient({
        url: azure.redisUrl,
        username: oid,
        password: accessToken,
        socket: { reconnectStrategy: false },
      });
      client.on('error', () => undefined);
      const evicted = new Promise((resolve) => azure.gateway.once('evicted', resolve));
      await client.connect();
      expect(await evicted).toMatchObject({ reason: 'token-expired', identity: oid });
      client.destroy();
    });
  });
});

describe('startEmulator › stop()', () => {
  it('stops redis-server and closes every listener, and can be called again', async () => {
    const azure = await startEmulator();
    const pid = azure.redisServers[0]!.pid;
    const ports = [
      azure.port,
      azure.entra.port,
      new URL(azure.managedIdentityEndpoint).port,
      azure.redisServers[0]!.port,
    ];
    expect(processExists(pid)).toBe(true);
    await azure.stop();
    expect(processExists(pid)).toBe(false);
    for (const port of ports) expect(await acceptsConnections(Number(port))).toBe(false);
    await expect(azure.stop()).resolves.toBeUndefined();
  });

  it('stops everything through Symbol.asyncDispose too', async () => {
    const azure = await startEmulator();
    const pid = azure.redisServers[0]!.pid;
    await azure[Symbol.asyncDispose]();
    expect(processExists(pid)).toBe(false);
    expect(await acceptsConnections(azure.port)).toBe(false);
  });
});
