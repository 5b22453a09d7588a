import type { TokenCoreEvents, TypedEvents } from '@authx/token-core';

/** Tokens a provider acquired so far. */
export interface TokenLog {
  readonly count: number;
}

/**
 * Counts the provider's tokens and prints each one (`token #2 acquired, valid for 2.6 s`, unless
 * `logEach` is false) and each failed refresh attempt.
 */
export function logTokens(
  provider: { readonly events: TypedEvents<TokenCoreEvents> },
  { logEach = true }: { logEach?: boolean } = {},
): TokenLog {
  let count = 0;
  provider.events.on('tokenAcquired', ({ expiresAtMs, receivedAtMs }) => {
    count++;
    if (logEach)
      console.log(
        `token #${count} acquired, valid for ${((expiresAtMs - receivedAtMs) / 1000).toFixed(1)} s`,
      );
  });
  provider.events.on('refreshFailed', ({ attempt, error }) =>
    console.log(`token refresh attempt ${attempt} failed: ${(error as Error).name}`),
  );
  return {
    get count() {
      return count;
    },
  };
}
