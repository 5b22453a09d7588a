import { createClient } from 'redis';
import type { WorkerConfig } from '../protocol';

export type BenchClient = ReturnType<typeof createClient<{}, {}, {}, 2 | 3>>;

/**
 * Builds clients the way each contender documents it, against one credentials provider per kit:
 * - authx: `@authx/entraid` provider, one `@authx/redis-auth` binding, `auth.bind(client)`;
 * - @redis/entraid: its provider as node-redis `credentialsProvider`;
 * - static: a never-expiring token as plain `username` / `password`.
 */
export interface ClientKit {
  newClient(RESP: 2 | 3): BenchClient;
  /** authx only: calls `listener` on every `credentialsUpdated` of the binding (for the fan-out probe). */
  onCredentialsUpdated?(listener: () => void): void;
  /**
   * Token contenders: obtains the provider's first token by subscribing to it directly (held until
   * `dispose`), so that clients connecting afterwards find a token (the cold-start scenario's "warm").
   */
  firstToken?(): Promise<void>;
  /** Stops the provider's refresh loop and releases the binding, so the next scenario starts clean. */
  dispose(): void;
}

type Subscribable = {
  subscribe(listener: {
    onNext(value: unknown): void;
    onError(error: Error): void;
  }): Promise<[unknown, { dispose(): void }]>;
};

/** `firstToken` and its release: a no-op subscription to `provider`, disposed by the returned `release`. */
function firstTokenHolder(provider: Subscribable) {
  let held: { dispose(): void } | undefined;
  return {
    firstToken: async () => {
      const [, subscription] = await provider.subscribe({
        onNext: () => undefined,
        onError: () => undefined,
      });
      held = subscription;
    },
    release: () => {
      held?.dispose();
      held = undefined;
    },
  };
}

/**
 * Both providers refresh at 70 % of the token's lifetime. @redis/entraid's default does exactly
 * that; authx's default would refresh 3 s tokens at half their life with jitter, so its
 * lower bound and jitter are switched off to give both the same schedule.
 */
const AUTHX_TOKEN_MANAGER_CONFIG = {
  expirationRefreshRatio: 0.7,
  lowerRefreshBoundMs: 0,
  refreshJitterMs: 0,
};

/** Each worker loads only its own contender's packages (start-up time, and a fair heap baseline). */
export async function createClientKit(
  config: WorkerConfig,
  onClientError: (error: Error) => void,
): Promise<ClientKit> {
  const make = (RESP: 2 | 3, extra: Record<string, unknown>): BenchClient => {
    const client = createClient({ url: config.redisUrl, RESP, ...extra }) as unknown as BenchClient;
    client.on('error', onClientError);
    return client;
  };
  switch (config.contender) {
    case 'authx': {
      const { EntraIdCredentialsProviderFactory } = await import('@authx/entraid');
      const { createRedisAuth } = await import('@authx/redis-auth');
      const provider = EntraIdCredentialsProviderFactory.createForUserAssignedManagedIdentity({
        userAssignedClientId: config.managedIdentityClientId,
        tokenManagerConfig: AUTHX_TOKEN_MANAGER_CONFIG,
      });
      const auth = createRedisAuth(provider);
      const holder = firstTokenHolder(provider as unknown as Subscribable);
      return {
        newClient: (RESP) => auth.bind(make(RESP, {})),
        onCredentialsUpdated: (listener) => {
          auth.events.on('credentialsUpdated', listener);
        },
        firstToken: holder.firstToken,
        dispose: () => {
          holder.release();
          auth.dispose();
          provider.dispose();
        },
      };
    }
    case 'redis-entraid': {
      const { DEFAULT_TOKEN_MANAGER_CONFIG, EntraIdCredentialsProviderFactory } = await import(
        '@redis/entraid'
      );
      const provider = EntraIdCredentialsProviderFactory.createForUserAssignedManagedIdentity({
        clientId: config.managedIdentityClientId,
        userAssignedClientId: config.managedIdentityClientId,
        tokenManagerConfig: DEFAULT_TOKEN_MANAGER_CONFIG,
      });
      const holder = firstTokenHolder(provider as unknown as Subscribable);
      return {
        newClient: (RESP) => make(RESP, { credentialsProvider: provider }),
        firstToken: holder.firstToken,
        // @redis/entraid has no dispose, and its refresh loop outlives destroyed clients whose
        // listeners leaked on reconnect. Its token manager's start() stops a running loop and returns
        // a Disposable: start a no-op one and dispose it, so a stale loop cannot add IdP requests.
        dispose: () => {
          holder.release();
          provider
            .getTokenManager()
            .start({ onNext: () => undefined, onError: () => undefined }, 60_000)
            .dispose();
        },
      };
    }
    case 'static': {
      const credentials = config.staticCredentials;
      if (!credentials) throw new Error('the static contender needs staticCredentials');
      return {
        newClient: (RESP) => make(RESP, { username: credentials.username, password: credentials.password }),
        dispose: () => undefined,
      };
    }
  }
}
