import { type EntraEmulator, type EntraEmulatorOptions, startEntraEmulator } from '@authx/emulator';
import type { TokenManagerConfig } from '@authx/token-core';
import { Agent } from 'undici';
import { FetchNetworkClient, type MsalConfigOverrides } from '../../src';

/** Token lifetime for rotation tests, in seconds: short so that several rotations fit in a few seconds. */
export const SHORT_TOKEN_LIFETIME_SEC = 2;

/**
 * Starts an emulator with short-lived tokens (override with `options`). Its managed identity
 * endpoints issue a new token per request (`managedIdentityTokenCache: false`, a leniency): these
 * tests check that every fresh token reaches the connections; Azure's cached-token behaviour (the
 * same token until close to expiry) is issue #16's second item.
 */
export function startShortLivedEmulator(options: EntraEmulatorOptions = {}): Promise<EntraEmulator> {
  return startEntraEmulator({
    tokenLifetimeSec: SHORT_TOKEN_LIFETIME_SEC,
    managedIdentityTokenCache: false,
    ...options,
  });
}

/**
 * The production network client (FetchNetworkClient on Node's global fetch: timeouts, aborts, HTML
 * error pages) trusting the emulator's CA in-process through an undici Agent, so MSAL's requests take
 * the production path; only the trust store differs (NODE_EXTRA_CA_CERTS is read at process start
 * and would replace the machine's own value).
 */
export function emulatorNetworkClient(emulator: EntraEmulator): FetchNetworkClient {
  return new FetchNetworkClient({ dispatcher: new Agent({ connect: { ca: emulator.caPem } }) });
}

/** MSAL configuration that reaches the emulator through {@link emulatorNetworkClient}. */
export function emulatorMsalConfig(emulator: EntraEmulator): MsalConfigOverrides {
  return { system: { networkClient: emulatorNetworkClient(emulator) } };
}

/** Retry settings for failure tests: fast, jitter-free, so delays are exact. */
export const FAST_RETRY: NonNullable<TokenManagerConfig['retry']> = {
  maxAttempts: 3,
  initialDelayMs: 50,
  maxDelayMs: 400,
  backoffMultiplier: 2,
  jitterPercentage: 0,
};

/** Token requests (any grant) the emulator has logged. */
export function tokenRequests(emulator: EntraEmulator) {
  return emulator.requests.filter((entry) => entry.endpoint === 'token');
}

/** Managed identity requests the emulator has logged. */
export function managedIdentityRequests(emulator: EntraEmulator) {
  return emulator.requests.filter((entry) => entry.endpoint === 'mi');
}
