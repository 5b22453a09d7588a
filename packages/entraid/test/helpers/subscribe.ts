import type { BasicAuth, Disposable, StreamingCredentialsListener } from '@authx/token-core';
import type { EntraidCredentialsProvider } from '../../src';

/** A listener that records what the provider pushes. */
export class RecordingListener implements StreamingCredentialsListener<BasicAuth> {
  readonly credentials: BasicAuth[] = [];
  readonly errors: Error[] = [];

  onNext(credentials: BasicAuth): void {
    this.credentials.push(credentials);
  }

  onError(error: Error): void {
    this.errors.push(error);
  }
}

/** Subscribes a recording listener; returns first credentials, listener and the subscription. */
export async function subscribeRecording(
  provider: EntraidCredentialsProvider,
): Promise<{ first: BasicAuth; listener: RecordingListener; subscription: Disposable }> {
  const listener = new RecordingListener();
  const [first, subscription] = await provider.subscribe(listener);
  return { first, listener, subscription };
}

/** Resolves once `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
