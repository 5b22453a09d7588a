import type { RedisAuth } from '@authx/redis-auth';
import type { TokenCoreEvents, TypedEvents } from '@authx/token-core';
import { reportKeyValue } from './key-value-report';
import { type KeyValueRunOptions, runKeyValue } from './key-value-run';
import { logReauths } from './reauth-log';
import type { Target } from './target';
import { logTokens } from './token-log';

/** Options of {@link runKeyValueScenario}. */
export interface KeyValueScenarioOptions {
  /** Where it runs: emulator mode adds the rotation check (≥ 3 tokens) and reads the gateway's counters. */
  target: Pick<Target<unknown>, 'mode' | 'gatewayStats'>;
  /** The example's provider: its tokens are counted and printed; disposed at the end. */
  provider: { readonly events: TypedEvents<TokenCoreEvents>; dispose(): void };
  /** The node-redis client, bound to the provider by `auth`, not yet connected. */
  client: KeyValueRunOptions['client'] & { on(event: 'error', listener: (error: Error) => void): unknown };
  /** The binding: its re-authentications are counted and printed; disposed at the end. */
  auth: Pick<RedisAuth, 'events' | 'dispose'>;
  /** Who the connection runs as when ACL WHOAMI is not allowed (`the service principal`). */
  identity: string;
  /** How long the traffic runs, in milliseconds. */
  durationMs: number;
  /** More `name: value` figures for the summary line, read after the run; default none. */
  details?: () => string[];
}

/**
 * The single-connection scenario: print every token and re-authentication, connect, SET/GET for
 * `durationMs`, close and dispose, then print the summary and the unmet checks (no command failed,
 * commands ran, ≥ 3 tokens on the emulator, no connection evicted). True when all are met.
 * Call it right after binding, before the first token can arrive.
 */
export async function runKeyValueScenario(options: KeyValueScenarioOptions): Promise<boolean> {
  const { target, provider, client, auth } = options;
  const tokens = logTokens(provider);
  const reauths = logReauths(auth);
  client.on('error', (error: Error) => console.log(`client error: ${error.message}`));
  const traffic = await runKeyValue({
    client,
    identity: options.identity,
    durationMs: options.durationMs,
    dispose: [auth, provider],
  });
  return reportKeyValue({
    mode: target.mode,
    tokens: tokens.count,
    reauths: reauths.count,
    traffic,
    gateway: target.gatewayStats(),
    details: options.details?.() ?? [],
  });
}
