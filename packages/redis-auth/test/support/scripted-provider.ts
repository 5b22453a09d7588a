import type { BasicAuth, Disposable } from '@authx/token-core';
import type { CredentialsListener, StreamingProvider } from '../../src';

/**
 * A streaming credentials provider whose credentials the test hands out itself: `next()` delivers
 * new ones to every subscriber synchronously (so a refresh can be made to land at an exact
 * moment), `current` is what the next subscriber starts with. No timers.
 */
export class ScriptedProvider implements StreamingProvider {
  readonly type = 'streaming-credentials-provider' as const;
  readonly reauthErrors: Error[] = [];
  subscribeCalls = 0;
  current: BasicAuth;
  readonly #listeners = new Set<CredentialsListener>();

  constructor(initial: BasicAuth) {
    this.current = initial;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async subscribe(listener: CredentialsListener): Promise<[BasicAuth, Disposable]> {
    this.subscribeCalls++;
    this.#listeners.add(listener);
    const dispose = () => {
      this.#listeners.delete(listener);
    };
    return [this.current, { dispose, [Symbol.dispose]: dispose }];
  }

  onReAuthenticationError(error: Error): void {
    this.reauthErrors.push(error);
  }

  /** Makes `credentials` current and hands them to every subscriber before returning. */
  next(credentials: BasicAuth): void {
    this.current = credentials;
    for (const listener of [...this.#listeners]) listener.onNext(credentials);
  }

  close(): void {
    this.#listeners.clear();
  }
}
