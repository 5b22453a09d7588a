import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  type EntraEmulator,
  type RedisGateway,
} from '@authx/emulator';
import { EntraIdCredentialsProviderFactory } from '../../src';
import { emulatorMsalConfig, startShortLivedEmulator, tokenRequests } from '../helpers/emulator';
import { RENEWED_IN_TIME, runThroughRotations, startGatewayFor } from '../helpers/rotation';

describe('createForClientCredentials end to end (real MSAL → emulator → gateway → node-redis)', () => {
  let emulator: EntraEmulator;
  let gateway: RedisGateway;

  beforeAll(async () => {
    emulator = await startShortLivedEmulator();
    gateway = await startGatewayFor(emulator);
  });

  afterAll(async () => {
    await gateway?.stop();
    await emulator?.stop();
  });

  it.each([2, 3] as const)(
    'keeps a RESP%i client working across 3 token rotations with no failed command and no eviction',
    async (RESP) => {
      emulator.clearRequests();
      const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
        clientId: DEFAULT_CLIENT_ID,
        clientSecret: DEFAULT_CLIENT_SECRET,
        authorityConfig: { type: 'custom', authorityUrl: emulator.authority() },
        msalConfig: emulatorMsalConfig(emulator),
        tokenManagerConfig: { expirationRefreshRatio: 0.5 },
      });
      const outcome = await runThroughRotations(provider, gateway, { RESP });
      expect(outcome).toMatchObject({
        ...RENEWED_IN_TIME,
        commandsFailed: 0,
        evictions: 0,
        clientErrors: [],
      });
      expect(outcome.commandsOk).toBeGreaterThan(10);
      expect(outcome.tokensAcquired).toBeGreaterThanOrEqual(4);
      // skipCache: every token came from the token endpoint, none from MSAL's cache.
      expect(tokenRequests(emulator).length).toBeGreaterThanOrEqual(outcome.tokensAcquired);
      // The username is the service principal's object id, from the token's oid claim.
      expect(outcome.identities).toHaveLength(1);
      expect(outcome.identities[0]).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it('reaches the emulator through AZURE_AUTHORITY_HOST with a multi-tenant authority', async () => {
    const previous = process.env.AZURE_AUTHORITY_HOST;
    process.env.AZURE_AUTHORITY_HOST = emulator.authorityHost;
    try {
      const provider = EntraIdCredentialsProviderFactory.createForClientCredentials({
        clientId: DEFAULT_CLIENT_ID,
        clientSecret: DEFAULT_CLIENT_SECRET,
        authorityConfig: { type: 'multi-tenant', tenantId: emulator.tenantId },
        msalConfig: emulatorMsalConfig(emulator),
        tokenManagerConfig: { expirationRefreshRatio: 0.5 },
      });
      const outcome = await runThroughRotations(provider, gateway, { RESP: 3, rotations: 1 });
      expect(outcome).toMatchObject({ ...RENEWED_IN_TIME, commandsFailed: 0, evictions: 0 });
    } finally {
      if (previous === undefined) delete process.env.AZURE_AUTHORITY_HOST;
      else process.env.AZURE_AUTHORITY_HOST = previous;
    }
  });
});
