import { type Clock, systemClock } from './clock';
import { type CredentialsStatus, CredentialsStatusTracker, credentialsStatus } from './credentials-status';
import { TokenCoreEventEmitter } from './diagnostics';
import { createDisposable, type Disposable } from './disposable';
import { type AuthxError, CredentialsMappingError, DisposedError, InvalidOptionError } from './errors';
import type { TokenCoreEvents } from './events';
import type { IdentityProvider } from './identity-provider';
import type { Token } from './token';
import { TokenManager, type TokenManagerListener } from './token-manager';
import type { TokenManagerConfig } from './token-manager-config';
import type { TypedEvents } from './typed-events';
import { objectOption, optionalFunctionOption } from './validate';

/** Credentials for AUTH / HELLO AUTH. */
export interface BasicAuth {
  username?: string;
  password?: string;
}

/** Receives credential updates; node-redis passes one per connection. */
export interface StreamingCredentialsListener<T> {
  onNext(credentials: T): void;
  onError(error: Error): void;
}

/** Options of {@link StreamingCredentialsProvider}. */
export interface StreamingCredentialsProviderOptions<T> {
  /** Where tokens come from. Required. */
  identityProvider: IdentityProvider<T>;
  /** Refresh timing, retries and request timeout; see `TokenManagerConfig`. Default: all defaults. */
  tokenManagerConfig?: TokenManagerConfig;
  /** Turns a token into credentials (e.g. `{ username: oid, password: accessToken }`). Required. */
  credentialsMapper: (token: Token<T>) => BasicAuth | Promise<BasicAuth>;
  /** Source of time and timers. Default `systemClock`. */
  clock?: Clock;
  /** Random numbers in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * Called when node-redis reports that re-authenticating a connection failed. The
   * `reAuthenticationFailed` event is emitted either way. Default: none.
   */
  onReAuthenticationError?: (error: Error) => void;
  /** Called on every transient token request failure (the provider keeps trying). Default: none. */
  onRetryableError?: (error: unknown) => void;
}

interface Subscriber {
  readonly listener: StreamingCredentialsListener<BasicAuth>;
}

interface Waiter<T> {
  resolve(token: Token<T>): void;
  reject(error: Error): void;
}

/**
 * A credentials provider that node-redis accepts as is (`createClient({ credentialsProvider })`):
 * every subscriber gets the current credentials and every refreshed set. One refresh loop serves
 * all subscribers; the first subscriber starts it (concurrent first subscribers share one identity
 * provider call), the last one to dispose stops it, and a later subscriber starts it again.
 */
export class StreamingCredentialsProvider<T> implements Disposable {
  readonly type = 'streaming-credentials-provider' as const;
  /** Token and subscriber events; see `TokenCoreEvents`. */
  readonly events: TypedEvents<TokenCoreEvents>;
  /** The manager running the shared refresh loop. */
  readonly tokenManager: TokenManager<T>;
  readonly #emitter = new TokenCoreEventEmitter();
  readonly #clock: Clock;
  readonly #mapper: (token: Token<T>) => BasicAuth | Promise<BasicAuth>;
  readonly #onReAuthenticationError: ((error: Error) => void) | undefined;
  readonly #onRetryableError: ((error: unknown) => void) | undefined;
  readonly #subscribers = new Set<Subscriber>();
  readonly #managerListener: TokenManagerListener<T>;
  #pendingSubscribes = 0;
  #starting: Promise<Token<T>> | undefined;
  #waiter: Waiter<T> | undefined;
  #mapped: { token: Token<T>; credentials: Promise<BasicAuth> } | undefined;
  /** The credentials last handed out (subscribe or broadcast); the same pair is never sent twice. */
  #lastSent: BasicAuth | undefined;
  #disposed = false;
  readonly #status: CredentialsStatusTracker;

  constructor(options: StreamingCredentialsProviderOptions<T>) {
    const o = objectOption<StreamingCredentialsProviderOptions<T>>('options', options);
    if (typeof o.identityProvider?.requestToken !== 'function') {
      throw new InvalidOptionError(
        'identityProvider',
        'an object with a requestToken(signal) method',
        o.identityProvider,
      );
    }
    if (typeof o.credentialsMapper !== 'function') {
      throw new InvalidOptionError(
        'credentialsMapper',
        'a function (token) => { username?, password? }',
        o.credentialsMapper,
      );
    }
    this.#mapper = o.credentialsMapper;
    this.#clock = o.clock ?? systemClock;
    this.#onReAuthenticationError = optionalFunctionOption(
      'onReAuthenticationError',
      o.onReAuthenticationError,
    );
    this.#onRetryableError = optionalFunctionOption('onRetryableError', o.onRetryableError);
    this.tokenManager = new TokenManager(o.identityProvider, o.tokenManagerConfig, {
      clock: o.clock,
      random: o.random,
      events: this.#emitter,
    });
    this.events = this.#emitter;
    this.#status = new CredentialsStatusTracker(this.#emitter, () => this.#clock.now());
    this.#managerListener = {
      onNext: (token) => this.#onToken(token),
      onError: (error) => this.#onFatal(error),
      onRetryableError: (error) => this.#onRetryableError?.(error),
    };
  }

  /**
   * Resolves with the current credentials and a Disposable that ends the subscription; `listener`
   * then gets `onNext` after every refresh and `onError` whenever the provider has no fresh token to
   * give (a permanent failure, expiry, or a failed recovery request). The subscription survives an
   * `onError`: the provider keeps recovering (see `RecoveryPolicyOptions`) and calls `onNext` again
   * once a token is obtained — a subscriber never has to subscribe again to heal.
   *
   * Without a valid token it waits for the next request's outcome, and rejects with a
   * `RefreshFailedError` / `TokenExpiredError` when that fails; a `CredentialsMappingError` when the
   * mapper fails, a `DisposedError` after `dispose()`.
   */
  async subscribe(listener: StreamingCredentialsListener<BasicAuth>): Promise<[BasicAuth, Disposable]> {
    if (this.#disposed) throw new DisposedError('StreamingCredentialsProvider');
    this.#pendingSubscribes++;
    let subscribed = false;
    try {
      const credentials = await this.#currentCredentials();
      if (this.#disposed) throw new DisposedError('StreamingCredentialsProvider');
      const subscriber: Subscriber = { listener };
      this.#subscribers.add(subscriber);
      subscribed = true;
      return [credentials, createDisposable(() => this.#unsubscribe(subscriber))];
    } finally {
      this.#pendingSubscribes--;
      if (!subscribed) this.#stopWhenIdle();
    }
  }

  /** node-redis calls this when re-authenticating a connection fails. */
  readonly onReAuthenticationError = (error: Error): void => {
    this.#emitter.emit('reAuthenticationFailed', { error });
    try {
      this.#onReAuthenticationError?.(error);
    } catch (listenerError) {
      this.#emitter.emit('listenerError', { error: listenerError, source: 'onReAuthenticationError' });
    }
  };

  /** The last token obtained, if any. */
  getCurrentToken(): Token<T> | undefined {
    return this.tokenManager.getCurrentToken();
  }

  /**
   * Where the credentials are — `idle`, `valid`, `refreshing`, `retrying`, `expired`, `failed` —
   * with the token's expiry and refresh time and the last error's code (for readiness probes).
   */
  status(): CredentialsStatus {
    return credentialsStatus(this.#status.record, this.#clock.now(), this.tokenManager.isRunning());
  }

  /** Live subscriptions (not counting subscribe calls still waiting for a token). */
  subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** Ends every subscription, rejects pending subscribes and stops the refresh loop. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#subscribers.clear();
    this.#settleWaiter()?.reject(new DisposedError('StreamingCredentialsProvider'));
    this.tokenManager.stop();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  async #currentCredentials(): Promise<BasicAuth> {
    for (;;) {
      const token = await this.#validToken();
      const credentials = await this.#credentialsFor(token);
      // A refresh may have landed while an async mapper ran; hand out the newest credentials.
      if (this.tokenManager.getCurrentToken() === token || this.#disposed) {
        this.#lastSent = credentials;
        return credentials;
      }
    }
  }

  #validToken(): Promise<Token<T>> {
    const token = this.tokenManager.getCurrentToken();
    if (this.#starting) return this.#starting;
    if (token && !token.isExpired(this.#clock.now())) {
      if (!this.tokenManager.isRunning()) this.tokenManager.start(this.#managerListener);
      return Promise.resolve(token);
    }
    const starting = new Promise<Token<T>>((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
    this.#starting = starting;
    const clear = () => {
      if (this.#starting === starting) this.#starting = undefined;
    };
    starting.then(clear, clear);
    // A running manager without a valid token is recovering: wait for its next request's outcome
    // (restarting it would abort that request and could only add requests, never remove waiting).
    if (!this.tokenManager.isRunning()) this.tokenManager.start(this.#managerListener);
    return starting;
  }

  #credentialsFor(token: Token<T>): Promise<BasicAuth> {
    if (this.#mapped?.token === token) return this.#mapped.credentials;
    const credentials = mapCredentials(this.#mapper, token);
    this.#mapped = { token, credentials };
    credentials.catch(() => {
      if (this.#mapped?.credentials === credentials) this.#mapped = undefined;
    });
    return credentials;
  }

  #onToken(token: Token<T>): void {
    this.#settleWaiter()?.resolve(token);
    if (this.#subscribers.size === 0) return;
    this.#credentialsFor(token).then(
      (credentials) => {
        if (this.tokenManager.getCurrentToken() !== token) return;
        // An identity provider without `isSameToken` may hand the same token back as a new object:
        // the connections already hold these credentials, so re-sending them would only cost AUTHs.
        if (sameCredentials(this.#lastSent, credentials)) return;
        this.#lastSent = credentials;
        this.#broadcast('onNext', credentials);
      },
      (error: Error) => this.#broadcast('onError', error),
    );
  }

  #onFatal(error: AuthxError): void {
    this.#settleWaiter()?.reject(error);
    this.#broadcast('onError', error);
  }

  #broadcast<K extends keyof StreamingCredentialsListener<BasicAuth>>(
    method: K,
    argument: Parameters<StreamingCredentialsListener<BasicAuth>[K]>[0],
  ): void {
    for (const subscriber of [...this.#subscribers]) {
      if (!this.#subscribers.has(subscriber)) continue;
      try {
        (subscriber.listener[method] as (argument: unknown) => void).call(subscriber.listener, argument);
      } catch (error) {
        this.#emitter.emit('listenerError', { error, source: method });
      }
    }
  }

  #settleWaiter(): Waiter<T> | undefined {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    return waiter;
  }

  #unsubscribe(subscriber: Subscriber): void {
    this.#subscribers.delete(subscriber);
    this.#stopWhenIdle();
  }

  #stopWhenIdle(): void {
    if (this.#subscribers.size === 0 && this.#pendingSubscribes === 0) this.tokenManager.stop();
  }
}

function sameCredentials(a: BasicAuth | undefined, b: BasicAuth): boolean {
  return a !== undefined && a.username === b.username && a.password === b.password;
}

async function mapCredentials<T>(
  mapper: (token: Token<T>) => BasicAuth | Promise<BasicAuth>,
  token: Token<T>,
): Promise<BasicAuth> {
  let credentials: unknown;
  try {
    credentials = await mapper(token);
  } catch (error) {
    throw new CredentialsMappingError('credentialsMapper threw', { cause: error });
  }
  const valid =
    typeof credentials === 'object' &&
    credentials !== null &&
    ['username', 'password'].every((key) => {
      const value = (credentials as Record<string, unknown>)[key];
      return value === undefined || typeof value === 'string';
    });
  if (!valid) {
    throw new CredentialsMappingError(
      'credentialsMapper must return { username?: string, password?: string }, got ' +
        (credentials === null ? 'null' : typeof credentials),
    );
  }
  return credentials as BasicAuth;
}
