import type { Disposable } from '../disposable';
import type { BasicAuth } from '../streaming-credentials-provider';

/** Receives credentials from a streaming provider; node-redis' `StreamingCredentialsListener`. */
export interface CredentialsListener {
  onNext(credentials: BasicAuth): void;
  onError(error: Error): void;
}

/**
 * Any streaming credentials provider, structurally node-redis' `StreamingCredentialsProvider`:
 * token-core's `StreamingCredentialsProvider`, `@authx/entraid`'s providers, `@redis/entraid`'s,
 * or your own. Bindings need nothing more.
 */
export interface StreamingProvider {
  readonly type: 'streaming-credentials-provider';
  subscribe(listener: CredentialsListener): Promise<[BasicAuth, Disposable | { dispose(): void }]>;
  onReAuthenticationError(error: Error): void;
  /**
   * True when the service keeps an authenticated connection working after the credentials it
   * authenticated with expire, and checks credentials only when a connection authenticates
   * (Memorystore IAM). The bindings then leave a RESP2 subscriber — which cannot send AUTH — on the
   * credentials it holds instead of rotating it onto a new connection at every refresh (a new
   * connection per subscriber per refresh, against a service that limits its connection rate);
   * it takes the newest credentials at its next reconnect. A `maxConnectionAgeMs`
   * re-authentication still rotates it. Ordinary connections are re-authenticated in place either
   * way. Default false: the service closes a connection whose credentials expired (Azure).
   */
  readonly connectionsOutliveCredentials?: boolean;
}

export function isStreamingProvider(value: unknown): value is StreamingProvider {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as StreamingProvider).type === 'streaming-credentials-provider' &&
    typeof (value as StreamingProvider).subscribe === 'function' &&
    typeof (value as StreamingProvider).onReAuthenticationError === 'function'
  );
}
