import type { BasicAuth, Clock, Disposable } from '@authx/token-core';
import { CredentialsProviderError } from './errors';
import type { StreamingProvider } from './provider';

/** One set of credentials handed out by the provider, numbered in the order received. */
export interface CredentialsGeneration {
  readonly credentials: BasicAuth;
  /** 1 for the first credentials, +1 for each change. */
  readonly generation: number;
  /** When these credentials stop working, if known (epoch ms). */
  readonly expiresAtMs: number | undefined;
  readonly receivedAtMs: number;
}

export interface CredentialsSourceOptions {
  expiresAtMs: (credentials: BasicAuth) => number | undefined;
  clock: Clock;
  onUpdate: (generation: CredentialsGeneration) => void;
  onError: (error: CredentialsProviderError) => void;
}

/**
 * Holds at most ONE subscription to a streaming provider, however many connections use it, and
 * the newest credentials it delivered. Subscribes lazily (concurrent callers share one
 * `subscribe()`), and `release()` disposes the subscription; the next `acquire()` subscribes again.
 */
export class CredentialsSource {
  readonly #provider: StreamingProvider;
  readonly #options: CredentialsSourceOptions;
  #current: CredentialsGeneration | undefined;
  #subscription: Disposable | { dispose(): void } | undefined;
  #pending: Promise<CredentialsGeneration> | undefined;
  // Bumped by release(): a subscribe() that resolves after it is disposed at once, and callbacks
  // of a released subscription are ignored.
  #epoch = 0;
  #subscriptionsOpened = 0;

  constructor(provider: StreamingProvider, options: CredentialsSourceOptions) {
    this.#provider = provider;
    this.#options = options;
  }

  /** The newest credentials, if any were received. */
  get current(): CredentialsGeneration | undefined {
    return this.#current;
  }

  /** True while a provider subscription is held (or being opened). */
  get isSubscribed(): boolean {
    return this.#subscription !== undefined || this.#pending !== undefined;
  }

  /** How many times `subscribe()` was called on the provider since construction. */
  get subscriptionsOpened(): number {
    return this.#subscriptionsOpened;
  }

  /** The newest credentials, subscribing first when no subscription is held. */
  acquire(): Promise<CredentialsGeneration> {
    if (this.#subscription && this.#current) return Promise.resolve(this.#current);
    this.#pending ??= this.#subscribe().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Disposes the subscription (if any); safe to call repeatedly. */
  release(): void {
    this.#epoch++;
    const subscription = this.#subscription;
    this.#subscription = undefined;
    subscription?.dispose();
  }

  async #subscribe(): Promise<CredentialsGeneration> {
    const epoch = this.#epoch;
    this.#subscriptionsOpened++;
    let result: [BasicAuth, Disposable | { dispose(): void }];
    try {
      result = await this.#provider.subscribe({
        onNext: (credentials) => {
          if (epoch === this.#epoch) this.#accept(credentials, true);
        },
        onError: (error) => {
          if (epoch !== this.#epoch) return;
          this.#options.onError(
            new CredentialsProviderError('The credentials provider reported an error', { cause: error }),
          );
        },
      });
    } catch (cause) {
      const error = new CredentialsProviderError('Subscribing to the credentials provider failed', { cause });
      this.#options.onError(error);
      throw error;
    }
    const [initial, subscription] = result;
    if (epoch !== this.#epoch) {
      // Released while subscribing: hand the credentials to the waiting handshake, keep nothing.
      subscription.dispose();
      return this.#generationFor(initial);
    }
    this.#subscription = subscription;
    return this.#accept(initial, this.#current !== undefined);
  }

  #accept(credentials: BasicAuth, notify: boolean): CredentialsGeneration {
    const current = this.#current;
    if (current && sameCredentials(current.credentials, credentials)) return current;
    const next = this.#generationFor(credentials);
    this.#current = next;
    if (notify) this.#options.onUpdate(next);
    return next;
  }

  #generationFor(credentials: BasicAuth): CredentialsGeneration {
    const current = this.#current;
    if (current && sameCredentials(current.credentials, credentials)) return current;
    return Object.freeze({
      credentials: Object.freeze({ username: credentials.username, password: credentials.password }),
      generation: (current?.generation ?? 0) + 1,
      expiresAtMs: this.#options.expiresAtMs(credentials),
      receivedAtMs: this.#options.clock.now(),
    });
  }
}

function sameCredentials(a: BasicAuth, b: BasicAuth): boolean {
  return a.username === b.username && a.password === b.password;
}
