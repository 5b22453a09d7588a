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
