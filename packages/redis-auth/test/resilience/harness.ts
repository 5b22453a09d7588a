import { type FaultSpec, type LocalAzureRedis, startEmulator } from '@authx/emulator';
import { EntraIdCredentialsProviderFactory } from '@authx/entraid';
import type { TokenManagerConfig } from '@authx/token-core';

/** A local "Azure Cache for Redis with Entra ID": real MSAL tokens, a gateway that evicts at expiry. */
export function startAzure(
  tokenLifetimeSec: number,
  options: { cluster?: boolean } = {},
): Promise<LocalAzureRedis> {
  return startEmulator({ tokenLifetimeSec, ...(options.cluster ? { cluster: true } : {}) });
}

/**
 * The client-credentials flow through the real MSAL against the emulator. Recovery and request
 * timeouts are scaled down with the token lifetimes (as every integration test here does); the
 * cadence they follow is the production one, only faster.
 */
export function clientCredentials(
  azure: LocalAzureRedis,
  options: { clientSecret?: string; tokenManagerConfig?: TokenManagerConfig } = {},
) {
  return EntraIdCredentialsProviderFactory.createForClientCredentials({
    clientId: azure.clientId,
    clientSecret: options.clientSecret ?? azure.clientSecret,
    authorityConfig: { type: 'custom', authorityUrl: azure.authority },
    msalConfig: { system: azure.msalConfig().system },
    tokenManagerConfig: {
      requestTimeoutMs: 1500,
      retry: { maxAttempts: 3, initialDelayMs: 500, maxDelayMs: 1000 },
      ...options.tokenManagerConfig,
    },
  });
}

/** Token requests the Entra emulator received in [fromMs, toMs). */
export function tokenRequests(azure: LocalAzureRedis, fromMs = 0, toMs = Number.POSITIVE_INFINITY): number {
  return azure.entra.requests.filter((r) => r.endpoint === 'token' && r.timeMs >= fromMs && r.timeMs < toMs)
    .length;
}

/** An identity-provider outage: the token endpoint fails as `kind` says until `end()`. */
export function outage(azure: LocalAzureRedis, kind: '503' | 'reset' | 'hang') {
  const spec: FaultSpec =
    kind === '503'
      ? { endpoint: 'token', status: 503, times: Number.POSITIVE_INFINITY }
      : kind === 'reset'
        ? { endpoint: 'token', reset: true, times: Number.POSITIVE_INFINITY }
        : { endpoint: 'token', hang: true, times: Number.POSITIVE_INFINITY };
  const fault = azure.entra.faults.inject(spec);
  return {
    end(): number {
      fault.cancel();
      return Date.now();
    },
  };
}

export interface Outcome {
  /** When the SET was sent. */
  readonly sentAtMs: number;
  /** When the GET after it settled (or the failure came). */
  readonly atMs: number;
  readonly ok: boolean;
  readonly error?: string;
}

/** Steady SET/GET on `client` (one at a time, a few ms apart) until `stop()`; every outcome timed. */
export function startLoad(
  client: { set(k: string, v: string): Promise<unknown>; get(k: string): Promise<unknown> },
  key: string,
) {
  const outcomes: Outcome[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running && i < 1_000_000; i++) {
      const sentAtMs = Date.now();
      try {
        await client.set(key, String(i));
        await client.get(key);
        outcomes.push({ sentAtMs, atMs: Date.now(), ok: true });
      } catch (error) {
        outcomes.push({
          sentAtMs,
          atMs: Date.now(),
          ok: false,
          error: `${(error as Error).name}: ${(error as Error).message}`,
        });
        await sleep(20);
      }
      await sleep(5);
    }
  })();
  return {
    outcomes,
    async stop(): Promise<void> {
      running = false;
      await loop;
    },
    /**
     * Commands sent at or after `ms` that failed. (A command queued during an outage may still
     * hit node-redis' own command timeout — 5 s by default — shortly after the IdP is back: that
     * is the outage's doing, not a failure to recover.)
     */
    failedAfter(ms: number): Outcome[] {
      return outcomes.filter((o) => !o.ok && o.sentAtMs >= ms);
    },
    okAfter(ms: number): number {
      return outcomes.filter((o) => o.ok && o.atMs >= ms).length;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const cleanups: Array<() => unknown> = [];

/** Registers cleanup to run after the test even when an assertion failed (see {@link runCleanups}). */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

/** Runs (newest first) and forgets the registered cleanups; call from afterEach. */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()?.();
    } catch {
      // Already closed.
    }
  }
}
