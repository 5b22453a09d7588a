import {
  DEFAULT_SYSTEM_MI_OBJECT_ID,
  DEFAULT_USER_MI_CLIENT_ID,
  DEFAULT_USER_MI_OBJECT_ID,
  type EntraEmulator,
  type RedisGateway,
} from '@authx/emulator';
import type { RefreshFailedError } from '@authx/token-core';
import { EntraIdCredentialsProviderFactory, EntraIdErrorCode } from '../../src';
import {
  FAST_RETRY,
  managedIdentityRequests,
  CACHED_MI_ROTATIONS,
  CACHED_MI_TOKEN_LIFETIME_SEC,
  startShortLivedEmulator,
} from '../helpers/emulator';
import { setTestEnv } from '../helpers/env';
import { RENEWED_IN_TIME, runThroughRotations, startGatewayFor } from '../helpers/rotation';
import { subscribeRecording } from '../helpers/subscribe';

// MSAL fixes the managed identity source per process (here: per jest module registry), so this file
// uses App Service (IDENTITY_ENDPOINT + IDENTITY_HEADER) only.
describe('managed identity end to end: App Service source', () => {
  let emulator: EntraEmulator;
  let gateway: RedisGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startShortLivedEmulator({ tokenLifetimeSec: CACHED_MI_TOKEN_LIFETIME_SEC });
    restoreEnv = setTestEnv(emulator.managedIdentityEnv('app-service'));
    gateway = await startGatewayFor(emulator);
  });

  afterEach(() => {
    emulator.faults.clear();
    emulator.clearRequests();
  });

  afterAll(async () => {
    restoreEnv?.();
    await gateway?.stop();
    await emulator?.stop();
  });

  it.each([2, 3] as const)(
    'system-assigned: rotates tokens on RESP%i with no failed command and no eviction',
    async (RESP) => {
      const provider = EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity({
        tokenManagerConfig: { expirationRefreshRatio: 0.5 },
      });
      const outcome = await runThroughRotations(provider, gateway, { RESP, ...CACHED_MI_ROTATIONS });
      // The endpoint's cache answered with the token already held, and nothing was re-sent.
      expect(outcome.tokenRepeats).toBeGreaterThan(0);
      expect(outcome).toMatchObject({
        ...RENEWED_IN_TIME,
        commandsFailed: 0,
        evictions: 0,
        clientErrors: [],
        identities: [DEFAULT_SYSTEM_MI_OBJECT_ID],
      });
      // forceRefresh: every token came from the endpoint, none from MSAL's process-wide cache.
      expect(managedIdentityRequests(emulator).length).toBeGreaterThanOrEqual(outcome.tokensAcquired);
    },
  );

  it.each([2, 3] as const)('user-assigned by client id: rotates tokens on RESP%i', async (RESP) => {
    const provider = EntraIdCredentialsProviderFactory.createForUserAssignedManagedIdentity({
      clientId: 'ignored',
      userAssignedClientId: DEFAULT_USER_MI_CLIENT_ID,
      tokenManagerConfig: { expirationRefreshRatio: 0.5 },
    });
    const outcome = await runThroughRotations(provider, gateway, { RESP, ...CACHED_MI_ROTATIONS });
    // The endpoint's cache answered with the token already held, and nothing was re-sent.
    expect(outcome.tokenRepeats).toBeGreaterThan(0);
    expect(outcome).toMatchObject({
      ...RENEWED_IN_TIME,
      commandsFailed: 0,
      evictions: 0,
      identities: [DEFAULT_USER_MI_OBJECT_ID],
    });
  });

  it('asks for the first scope’s resource when given several, as @redis/entraid does', async () => {
    const provider = EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity({
      scopes: ['https://redis.azure.com/.default', 'https://graph.microsoft.com/.default'],
    });
    const { first, subscription } = await subscribeRecording(provider);
    subscription.dispose();
    provider.dispose();
    expect(first.username).toBe(DEFAULT_SYSTEM_MI_OBJECT_ID);
    const claims = JSON.parse(Buffer.from(first.password?.split('.')[1] ?? '', 'base64url').toString());
    expect(claims.aud).toBe('https://redis.azure.com');
    expect(managedIdentityRequests(emulator).map((r) => r.status)).toEqual([200]);
  });

  it('retries a 500 once with the configured backoff, not MSAL’s own (internal retries off)', async () => {
    emulator.faults.inject({ endpoint: 'mi', status: 500 });
    const provider = EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity({
      tokenManagerConfig: { retry: FAST_RETRY },
    });
    const failures: unknown[] = [];
    provider.events.on('refreshFailed', ({ error }) => failures.push(error));
    const { subscription } = await subscribeRecording(provider);
    subscription.dispose();
    provider.dispose();
    expect(failures).toEqual([
      expect.objectContaining({ code: EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE, status: 500 }),
    ]);
    expect(managedIdentityRequests(emulator).map((r) => r.status)).toEqual([500, 200]);
  });

  it('stops at once, after one request, for an unknown user-assigned identity (answered 400 without an OAuth error code)', async () => {
    const provider = EntraIdCredentialsProviderFactory.createForUserAssignedManagedIdentity({
      userAssignedClientId: '0bad0bad-0000-4000-8000-000000000000',
      tokenManagerConfig: { retry: FAST_RETRY },
    });
    const error = await subscribeRecording(provider).catch((e: unknown) => e);
    provider.dispose();
    expect(error).toMatchObject({ reason: 'permanent-error', attempts: 1 });
    expect((error as RefreshFailedError).lastError).toMatchObject({
      code: EntraIdErrorCode.REQUEST_REJECTED,
      isRetryable: false,
      status: 400,
    });
    expect(managedIdentityRequests(emulator).map((r) => r.status)).toEqual([400]);
  });
});
