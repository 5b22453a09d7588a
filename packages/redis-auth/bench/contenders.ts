import type { BasicAuth } from '@authx/token-core';
import { createClient } from 'redis';
import type { CredentialsListener, RedisAuth, StreamingProvider } from '../src';
import type { AnyClient as Client } from '../test/support/types';

/**
 * How a benchmark client authenticates: bound to a RedisAuth (ours), a static password, or
 * node-redis' own streaming-credentials path with the same provider (built-in).
 */
export type Contender = 'bound' | 'static' | 'built-in';

export const CONTENDERS: readonly Contender[] = ['bound', 'static', 'built-in'];

/** A provider whose credentials never change. */
export function staticProvider(credentials: BasicAuth): StreamingProvider {
  return {
    type: 'streaming-credentials-provider',
    subscribe: async () => [credentials, { dispose() {} }],
    onReAuthenticationError() {},
  };
}

/**
 * A streaming provider that hands every subscriber a new password on `rotate()`, synchronously:
 * the fan-out starts at the call. Meant for a redis-server user created with `nopass`, which
 * accepts any password, so nothing but the clients' own work is measured.
 */
export class RotatingPasswordProvider implements StreamingProvider {
  readonly type = 'streaming-credentials-provider' as const;
  readonly #listeners = new Set<CredentialsListener>();
  readonly #username: string;
  #generation = 0;

  constructor(username: string) {
    this.#username = username;
  }

  get subscribers(): number {
    return this.#listeners.size;
  }

  current(): BasicAuth {
    return { username: this.#username, password: `rotation-${this.#generation}` };
  }

  async subscribe(listener: CredentialsListener): Promise<[BasicAuth, { dispose(): void }]> {
    this.#listeners.add(listener);
    return [this.current(), { dispose: () => this.#listeners.delete(listener) }];
  }

  onReAuthenticationError(): void {}

  rotate(): void {
    this.#generation++;
    const credentials = this.current();
    for (const listener of [...this.#listeners]) listener.onNext(credentials);
  }
}

/** A RESP2 client of `contender`: `auth` binds it, `provider` is node-redis' own path. */
export function contenderClient(
  url: string,
  contender: Contender,
  credentials: BasicAuth,
  auth: RedisAuth,
  provider: StreamingProvider = staticProvider(credentials),
): Client {
  if (contender === 'static') return createClient({ url, RESP: 2, ...credentials }) as Client;
  if (contender === 'built-in')
    return createClient({ url, RESP: 2, credentialsProvider: provider as never }) as Client;
  return auth.bind(createClient({ url, RESP: 2 }) as Client);
}

/** Connects `clients` 50 at a time (a burst of thousands would only measure the accept queue). */
export async function connectAll(clients: readonly Client[]): Promise<void> {
  for (let i = 0; i < clients.length; i += 50)
    await Promise.all(clients.slice(i, i + 50).map((c) => c.connect()));
}
