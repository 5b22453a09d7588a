import type { BasicAuth } from '@authx/token-core';

export { type CredentialsListener, isStreamingProvider, type StreamingProvider } from '@authx/token-core';

/** What node-redis calls on every connect and reconnect handshake (its `AsyncCredentialsProvider`). */
export interface AsyncCredentialsProvider {
  readonly type: 'async-credentials-provider';
  credentials(): Promise<BasicAuth>;
}
