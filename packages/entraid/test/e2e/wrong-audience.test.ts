import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  type EntraEmulator,
  REDIS_RESOURCE,
  type RedisGateway,
} from '@authx/emulator';
import { createClient } from 'redis';
import { EntraIdCredentialsProviderFactory, EntraIdErrorCode } from '../../src';
import { emulatorMsalConfig, startShortLivedEmulator, tokenRequests } from '../helpers/emulator';
import { startGatewayFor } from '../helpers/rotation';

const GRAPH = { identifierUri: 'https://graph.microsoft.com', appId: '00000003-0000-0000-c000-000000000000' };

// A mistyped scope must never hand another resource's bearer token to the Redis server: the
// emulator issues a real Microsoft Graph token here, and the gateway's auth log proves none was sent.
describe('a token for another resource is never sent (real MSAL → emulator → node-redis)', () => {
  let emulator: EntraEmulator;
  let gateway: RedisGateway;

  beforeAll(async () => {
    emulator = await startShortLivedEmulator({ resources: [REDIS_RESOURCE, GRAPH] });
    gateway = await startGatewayFor(emulator);
  });

  afterAll(async () => {
    await gateway?.stop();
    await emulator?.stop();
  });

  const providerFor = (scopes: string[]) =>
    EntraIdCredentialsProviderFactory.createForClientCredentials({
      clientId: DEFAULT_CLIENT_ID,
      clientSecret: DEFAULT_CLIENT_SECRET,
      authorityConfig: { type: 'custom', authorityUrl: emulator.authority() },
      msalConfig: emulatorMsalConfig(emulator),
      scopes,
    });

  it('refuses a Microsoft Graph token with WRONG_AUDIENCE after one request, sends nothing, then works once the scope is fixed', async () => {
    emulator.clearRequests();
    const wrong = providerFor(['https://graph.microsoft.com/.default']);
    const client = createClient({
      url: gateway.url,
      credentialsProvider: wrong,
      socket: { reconnectStrategy: false },
    });
    client.on('error', () => {});
    const refused = await client.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({
      lastError: expect.objectContaining({ code: EntraIdErrorCode.WRONG_AUDIENCE }),
    });
    expect(String(refused)).toContain('it is not sent to Redis');
    // One token request (a permanent error: no retry storm), and the gateway saw no AUTH at all.
    expect(tokenRequests(emulator)).toHaveLength(1);
    expect(gateway.authLog()).toEqual([]);
    expect(gateway.stats().authOk + gateway.stats().authFailed).toBe(0);
    if (client.isOpen) client.destroy();
    wrong.dispose();

    const right = providerFor(['https://redis.azure.com/.default']);
    const fixed = createClient({ url: gateway.url, credentialsProvider: right });
    fixed.on('error', () => {});
    await fixed.connect();
    expect(await fixed.ping()).toBe('PONG');
    expect(gateway.authLog().filter((entry) => entry.ok)).toHaveLength(1);
    await fixed.close();
    right.dispose();
  });
});
