import {
  DEFAULT_USER_MI_OBJECT_ID,
  DEFAULT_USER_MI_RESOURCE_ID,
  type EntraEmulator,
  type RedisGateway,
} from '@authx/emulator';
import type { RefreshFailedError } from '@authx/token-core';
import {
  EntraIdCredentialsProviderFactory,
  EntraIdErrorCode,
  type EntraidCredentialsProvider,
} from '../../src';
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
// uses IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST) only.
describe('managed identity end to end: IMDS source', () => {
  let emulator: EntraEmulator;
  let gateway: RedisGateway;
  let restoreEnv: () => void;

  beforeAll(async () => {
    emulator = await startShortLivedEmulator({ tokenLifetimeSec: CACHED_MI_TOKEN_LIFETIME_SEC });
    restoreEnv = setTestEnv(emulator.managedIdentityEnv('imds'));
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

  it.each([
    ['object id', 2, { userAssignedObjectId: DEFAULT_USER_MI_OBJECT_ID }],
    ['resource id', 3, { userAssignedResourceId: DEFAULT_USER_MI_RESOURCE_ID }],
  ] as const)('user-assigned by %s: rotates tokens on RESP%i', async (_, RESP, ids) => {
    const provider = EntraIdCredentialsProviderFactory.createForUserAssignedManagedIdentity({
      ...ids,
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
      identities: [DEFAULT_USER_MI_OBJECT_ID],
    });
    expect(managedIdentityRequests(emulator).every((r) => r.managedIdentitySource === 'imds')).toBe(true);
  });

  async function firstTokenWithFailures(provider: EntraidCredentialsProvider) {
    const failures: unknown[] = [];
    const delaysMs: number[] = [];
    provider.events.on('refreshFailed', ({ error }) => failures.push(error));
    provider.events.on('retryScheduled', ({ delayMs }) => delaysMs.push(delayMs));
    const { subscription } = await subscribeRecording(provider);
    subscription.dispose();
    provider.dispose();
    return { failures, delaysMs };
  }

  it('treats IMDS 410 as transient and retries on our schedule (not MSAL’s 10 s)', async () => {
    emulator.faults.inject({ endpoint: 'mi', status: 410 });
    const provider = EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity({
      tokenManagerConfig: { retry: FAST_RETRY },
    });
    const { failures, delaysMs } = await firstTokenWithFailures(provider);
    expect(failures).toEqual([
      expect.objectContaining({
        code: EntraIdErrorCode.MANAGED_IDENTITY_UNAVAILABLE,
        status: 410,
        isRetryable: true,
      }),
    ]);
    expect(delaysMs).toEqual([FAST_RETRY.initialDelayMs]);
    expect(managedIdentityRequests(emulator).map((r) => r.status)).toEqual([410, 200]);
  });

  it('honours Retry-After on an IMDS 429', async () => {
    emulator.faults.inject({ endpoint: 'mi', status: 429, headers: { 'Retry-After': '1' } });
    const provider = EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity({
      tokenManagerConfig: { retry: FAST_RETRY },
    });
    const { failures, delaysMs } = await firstTokenWithFailures(provider);
    expect(failures).toEqual([expect.objectContaining({ status: 429, retryAfterMs: 1000 })]);
    expect(delaysMs).toEqual([1000]);
    expect(managedIdentityRequests(emulator).map((r) => r.status)).toEqual([429, 200]);
  });

  it('rejects an IMDS answer without expires_on (MSAL returns an already expired token) as transient', async () => {
    emulator.faults.inject({
      endpoint: 'mi',
      status: 200,
      body: { access_token: 'x.y.z', resource: 'https://redis.azure.com', token_type: 'Bearer' },
    });
    const provider = EntraIdCredentialsProviderFactory.createForSystemAssignedManagedIdentity({
      tokenManagerConfig: { retry: FAST_RETRY },
    });
    const { failures } = await firstTokenWithFailures(provider);
    expect(failures).toEqual([
      expect.objectContaining({ code: 'INVALID_TOKEN_RESPONSE', isRetryable: true }),
    ]);
  });

  it('stops at once, after one request, for an unknown user-assigned identity (answered 400 invalid_request)', async () => {
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
