import { type EntraEmulator, type EntraEmulatorOptions, startEntraEmulator } from '@authx/emulator';
import type { TokenManagerConfig } from '@authx/token-core';
import { Agent } from 'undici';
import { FetchNetworkClient, type MsalConfigOverrides } from '../../src';

/** Token lifetime for rotation tests, in seconds: short so that several rotations fit in a few seconds. */
export const SHORT_TOKEN_LIFETIME_SEC = 2;

/**
 * Token lifetime for managed identity rotation tests, in seconds. The emulator caches managed
 * identity tokens as Azure does and renews them only a quarter of the lifetime before expiry, and
 * the provider counts a token with less than a second left as expired (`MIN_TOKEN_TTL_MS`: MSAL
 * rounds expiry to whole seconds). With 2-second tokens the window (0.5–0.75 s) would lie entirely
 * inside that second, so every renewal would look expired — an artefact of the scale, not of Azure,
 * whose windows are minutes. Six seconds give a 1.5-second window.
 */
export const CACHED_MI_TOKEN_LIFETIME_SEC = 6;

/** `runThroughRotations` settings for {@link CACHED_MI_TOKEN_LIFETIME_SEC} tokens. */
export const CACHED_MI_ROTATIONS = { lifetimeMs: CACHED_MI_TOKEN_LIFETIME_SEC * 1000, timeoutMs: 40_000 };

/**
 * Starts an emulator with short-lived tokens (override with `options`). Its managed identity
 * endpoints cache tokens as Azure's do: the same token to every request until a quarter of its
 * lifetime is left (the emulator's default, Azure's 5 minutes scaled), so the managed identity
 * tests run through refreshes that return the token already held.
 */
export function startShortLivedEmulator(options: EntraEmulatorOptions = {}): Promise<EntraEmulator> {
  return startEntraEmulator({ tokenLifetimeSec: SHORT_TOKEN_LIFETIME_SEC, ...options });
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
