import { DEFAULT_CLIENT_ID, DEFAULT_USER_OID, type EntraEmulator, type RedisGateway } from '@authx/emulator';
import { RefreshFailedError } from '@authx/token-core';
import { EntraIdCredentialsProviderFactory, EntraIdErrorCode } from '../../src';
import { followAuthorizationUrl } from '../helpers/authorize';
import { emulatorMsalConfig, startShortLivedEmulator, tokenRequests } from '../helpers/emulator';
import { RENEWED_IN_TIME, runThroughRotations, startGatewayFor } from '../helpers/rotation';
import { subscribeRecording } from '../helpers/subscribe';

const REDIRECT_URI = 'http://localhost:3000/redirect';

describe('createForAuthorizationCodeWithPKCE end to end', () => {
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

  async function signIn() {
    const flow = EntraIdCredentialsProviderFactory.createForAuthorizationCodeWithPKCE({
      clientId: DEFAULT_CLIENT_ID,
      redirectUri: REDIRECT_URI,
      authorityConfig: { type: 'custom', authorityUrl: emulator.authority() },
      msalConfig: emulatorMsalConfig(emulator),
      tokenManagerConfig: { expirationRefreshRatio: 0.5 },
    });
    const pkceCodes = await flow.getPKCECodes();
    const redirect = await followAuthorizationUrl(
      await flow.getAuthCodeUrl({ ...pkceCodes, state: 'my-state|return=/home' }),
      emulator.caPem,
    );
    return flow.createCredentialsProvider({
      code: redirect.get('code') ?? '',
      verifier: pkceCodes.verifier,
      state: redirect.get('state') ?? undefined,
      clientInfo: redirect.get('client_info') ?? undefined,
    });
  }

  it.each([2, 3] as const)(
    'signs the user in, then refreshes silently with the refresh token across 3 rotations on RESP%i',
    async (RESP) => {
      emulator.clearRequests();
      const provider = await signIn();
      const outcome = await runThroughRotations(provider, gateway, { RESP });
      expect(outcome).toMatchObject({
        ...RENEWED_IN_TIME,
        commandsFailed: 0,
        evictions: 0,
        clientErrors: [],
        identities: [DEFAULT_USER_OID],
      });
      const grants = tokenRequests(emulator).map((r) => r.grantType);
      expect(grants[0]).toBe('authorization_code');
      expect(grants.slice(1).every((g) => g === 'refresh_token')).toBe(true);
      expect(grants.length).toBeGreaterThanOrEqual(4);
    },
  );

  it('stops with a permanent error when the refresh token is revoked, keeping the token it has', async () => {
    const provider = await signIn();
    const { first, subscription, listener } = await subscribeRecording(provider);
    emulator.revokeRefreshTokens();
    await new Promise<void>((resolve) => {
      const done = provider.events.on('refreshFailed', () => {
        done.dispose();
        resolve();
      });
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(listener.errors).toEqual([expect.any(RefreshFailedError)]);
    expect((listener.errors[0] as RefreshFailedError).lastError).toMatchObject({
      code: EntraIdErrorCode.INVALID_GRANT,
      isRetryable: false,
    });
    expect(provider.getCurrentCredentials()).toEqual(first);
    subscription.dispose();
    provider.dispose();
  });
});
