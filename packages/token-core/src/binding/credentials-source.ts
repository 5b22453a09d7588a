import type { Clock, TimerHandle } from '../clock';
import { DeadlineTimer } from '../deadline-timer';
import type { AuthxError } from '../errors';
import { recoveryDelayMs, type ResolvedRecoveryPolicy } from '../recovery-policy';
import type { BasicAuth } from '../streaming-credentials-provider';
import {
  BindingDisposedError,
  CredentialsProviderError,
  CredentialsUnavailableError,
} from './binding-errors';
import type { StreamingProvider } from './streaming-provider';

/** One set of credentials handed out by the provider, numbered in the order received. */
export interface CredentialsGeneration {
  readonly credentials: BasicAuth;
  /** 1 for the first credentials, +1 for each change (never reused, also across releases). */
  readonly generation: number;
  /** When these credentials stop working (epoch ms), or `undefined` when unknown. */
  readonly expiresAtMs: number | undefined;
  readonly receivedAtMs: number;
}

/**
 * Where a {@link CredentialsSource} is in its lifecycle:
 *
 * - `idle` — no subscription (nothing bound is open);
 * - `subscribing` — the first `subscribe()` is in flight;
 * - `valid` — subscribed, with credentials that have not expired;
 * - `recovering` — the provider failed, or the credentials expired with nothing newer: the source
 *   subscribes again (make-before-break) at each step of its recovery backoff until new
 *   credentials arrive. `usable` says whether the previous credentials are still valid meanwhile.
 */
export type CredentialsSourceState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'subscribing' }
  | { readonly kind: 'valid'; readonly generation: number; readonly expiresAtMs: number | undefined }
  | {
      readonly kind: 'recovering';
      /** Recovery step under way (1 = first). */
      readonly step: number;
      /** When the next subscribe is due (epoch ms); `undefined` while one is in flight. */
      readonly retryAtMs: number | undefined;
      readonly error: AuthxError;
      /** True while the previous credentials are still valid. */
      readonly usable: boolean;
    };

export interface CredentialsSourceOptions {
  expiresAtMs: (credentials: BasicAuth) => number | undefined;
  clock: Clock;
  recovery: ResolvedRecoveryPolicy;
  random?: () => number;
  /** New credentials arrived (also the first ones). */
  onUpdate: (generation: CredentialsGeneration) => void;
  /** The provider failed, or credentials expired with nothing newer; once per failure. */
  onError: (error: AuthxError) => void;
}

interface Waiter {
  resolve(generation: CredentialsGeneration): void;
  reject(error: Error): void;
  timer: TimerHandle | undefined;
}

type Subscription = { dispose(): void };

/**
 * Holds at most ONE live subscription to a streaming provider, however many connections use it,
 * and the newest credentials it delivered — the client-independent half of every binding.
 *
 * - `acquire()` never returns credentials past their known expiry: without valid ones it waits for
 *   fresh ones (bounded by its timeout) or rejects with a typed error.
 * - After a provider failure, or an expiry with nothing newer, it keeps subscribing again with
 *   exponential backoff (`recovery`) until credentials arrive — whatever the provider does by
 *   itself — and handshakes in between wait for the outcome of the next step instead of causing
 *   requests of their own: no storm, however often clients reconnect.
 * - `release()` drops the subscription AND the credentials, so nothing stale is handed out later.
 */
export class CredentialsSource {
  readonly #provider: StreamingProvider;
  readonly #options: CredentialsSourceOptions;
  readonly #random: () => number;
  readonly #expiry: DeadlineTimer;
  readonly #waiters = new Set<Waiter>();
  #state: CredentialsSourceState = { kind: 'idle' };
  #current: CredentialsGeneration | undefined;
  #generations = 0;
  #subscription: Subscription | undefined;
  #inFlight = false;
  #probe: TimerHandle | undefined;
  #step = 0;
  // Bumped by release(): late answers of an earlier subscription are ignored (and disposed).
  #epoch = 0;
  #subscriptionsOpened = 0;
  #closed = false;

  constructor(provider: StreamingProvider, options: CredentialsSourceOptions) {
    this.#provider = provider;
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#expiry = new DeadlineTimer(options.clock);
  }

  get state(): CredentialsSourceState {
    return this.#state;
  }

  /** The newest credentials if they have not expired (what a handshake may use right now). */
  usable(): CredentialsGeneration | undefined {
    const current = this.#current;
    if (!current) return undefined;
    if (current.expiresAtMs !== undefined && this.#options.clock.now() >= current.expiresAtMs)
      return undefined;
    return current;
  }

  /** True while a subscription is held or being opened, or recovery is scheduled. */
  get isActive(): boolean {
    return this.#state.kind !== 'idle';
  }

  /** Handshakes waiting for credentials. */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** How many times `subscribe()` was called on the provider. */
  get subscriptionsOpened(): number {
    return this.#subscriptionsOpened;
  }

  /**
   * Valid credentials: the current ones, or the next ones to arrive within `timeoutMs`. Rejects
   * at once on a permanent provider failure (`CredentialsProviderError`, `isRetryable` false) and,
   * after `timeoutMs` without credentials, with a `CredentialsUnavailableError` (cause: the last
   * failure).
   */
  acquire(timeoutMs: number): Promise<CredentialsGeneration> {
    if (this.#closed) return Promise.reject(new BindingDisposedError());
    const usable = this.usable();
    if (usable && this.#state.kind !== 'idle') return Promise.resolve(usable);
    return new Promise<CredentialsGeneration>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      waiter.timer = this.#options.clock.setTimeout(() => {
        this.#waiters.delete(waiter);
        const error = this.#state.kind === 'recovering' ? this.#state.error : undefined;
        reject(
          new CredentialsUnavailableError(
            `No valid credentials within ${timeoutMs} ms${error ? ' (the credentials provider is failing; see cause)' : ''}`,
            { cause: error },
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
      this.#activate();
    });
  }

  /** Starts the subscription if there is none (no-op while recovering: the next step is scheduled). */
  activate(): void {
    if (!this.#closed) this.#activate();
  }

  /** Disposes the subscription, stops recovery and forgets the credentials; safe to call repeatedly. */
  release(): void {
    this.#epoch++;
    this.#inFlight = false;
    this.#cancelProbe();
    this.#expiry.cancel();
    this.#current = undefined;
    this.#step = 0;
    this.#state = { kind: 'idle' };
    const subscription = this.#subscription;
    this.#subscription = undefined;
    safeDispose(subscription);
  }

  /** Releases, rejects every waiting handshake and refuses further use. */
  close(): void {
    this.#closed = true;
    this.release();
    this.#settleWaiters(undefined, new BindingDisposedError());
  }

  #activate(): void {
    if (this.#state.kind === 'idle') {
      this.#state = { kind: 'subscribing' };
      this.#subscribe();
    }
  }

  #subscribe(): void {
    if (this.#inFlight) return;
    this.#inFlight = true;
    this.#subscriptionsOpened++;
    const epoch = this.#epoch;
    if (this.#state.kind === 'recovering') this.#state = { ...this.#state, retryAtMs: undefined };
    let pending: Promise<[BasicAuth, Subscription]>;
    try {
      pending = Promise.resolve(
        this.#provider.subscribe({
          onNext: (credentials) => {
            if (epoch === this.#epoch) this.#accept(credentials);
          },
          onError: (cause) => {
            if (epoch !== this.#epoch) return;
            this.#fail(new CredentialsProviderError('The credentials provider reported an error', { cause }));
          },
        }),
      );
    } catch (cause) {
      pending = Promise.reject(cause);
    }
    pending.then(
      ([initial, subscription]) => {
        if (epoch !== this.#epoch) {
          safeDispose(subscription);
          return;
        }
        this.#inFlight = false;
        // Make-before-break: the old subscription goes only once the new one is held, so a
        // provider shared by other subscribers never sees zero subscribers (and never restarts).
        const previous = this.#subscription;
        this.#subscription = subscription;
        if (previous !== subscription) safeDispose(previous);
        const fresh = this.#accept(initial);
        // Recovering, and the provider only had what we already hold: not recovered yet.
        if (!fresh && this.#state.kind === 'recovering') this.#scheduleProbe();
      },
      (cause: unknown) => {
        if (epoch !== this.#epoch) return;
        this.#inFlight = false;
        this.#fail(new CredentialsProviderError('Subscribing to the credentials provider failed', { cause }));
      },
    );
  }

  /** Takes `credentials` if they are new and valid; returns whether they were. */
  #accept(credentials: BasicAuth): boolean {
    const current = this.#current;
    if (current && sameCredentials(current.credentials, credentials)) {
      if (this.#state.kind === 'subscribing') this.#becomeValid(current);
      return false;
    }
    const nowMs = this.#options.clock.now();
    let expiresAtMs: number | undefined;
    try {
      expiresAtMs = this.#options.expiresAtMs(credentials);
    } catch {
      expiresAtMs = undefined;
    }
    if (expiresAtMs !== undefined && expiresAtMs <= nowMs) {
      this.#fail(
        new CredentialsProviderError(
          'The credentials provider handed out credentials that have already expired',
          {
            isRetryable: true,
          },
        ),
      );
      return false;
    }
    const next: CredentialsGeneration = Object.freeze({
      credentials: Object.freeze({ username: credentials?.username, password: credentials?.password }),
      generation: ++this.#generations,
      expiresAtMs,
      receivedAtMs: nowMs,
    });
    this.#current = next;
    this.#becomeValid(next);
    this.#settleWaiters(next, undefined);
    this.#options.onUpdate(next);
    return true;
  }

  #becomeValid(current: CredentialsGeneration): void {
    this.#step = 0;
    this.#cancelProbe();
    this.#state = { kind: 'valid', generation: current.generation, expiresAtMs: current.expiresAtMs };
    if (current.expiresAtMs === undefined) this.#expiry.cancel();
    else this.#expiry.at(current.expiresAtMs, () => this.#onExpired(current));
  }

  #onExpired(expired: CredentialsGeneration): void {
    if (this.#current !== expired) return;
    this.#fail(
      new CredentialsUnavailableError(
        `The credentials expired at ${new Date(expired.expiresAtMs ?? 0).toISOString()} and the provider has delivered no newer ones`,
      ),
    );
  }

  #fail(error: AuthxError): void {
    const usable = this.usable() !== undefined;
    const wasRecovering = this.#state.kind === 'recovering';
    this.#state = {
      kind: 'recovering',
      step: Math.max(1, this.#step),
      retryAtMs: this.#state.kind === 'recovering' ? this.#state.retryAtMs : undefined,
      error,
      usable,
    };
    // A permanent failure reaches the waiting handshakes at once (retrying soon cannot help, and
    // the application should hear of it now). After a transient one they keep waiting, up to
    // their timeout: recovery may bring credentials any moment, and a handshake that is still
    // waiting completes the instant they arrive instead of after a reconnect delay.
    if (!usable && !error.isRetryable) this.#settleWaiters(undefined, error);
    // One step scheduled at a time: failures reported meanwhile (a provider recovering by itself
    // reports each of its own steps) neither add steps nor delay the pending one.
    if (this.#probe === undefined && !this.#inFlight) {
      // Expired with nothing newer: ask again at once (the provider may have something new),
      // then back off.
      if (!wasRecovering && error instanceof CredentialsUnavailableError) this.#subscribe();
      else this.#scheduleProbe();
    }
    this.#options.onError(error);
  }

  #scheduleProbe(): void {
    if (this.#probe !== undefined) return;
    this.#step++;
    const delayMs = recoveryDelayMs(this.#options.recovery, this.#step, this.#random);
    const retryAtMs = this.#options.clock.now() + delayMs;
    if (this.#state.kind === 'recovering') this.#state = { ...this.#state, step: this.#step, retryAtMs };
    this.#probe = this.#options.clock.setTimeout(() => {
      this.#probe = undefined;
      this.#subscribe();
    }, delayMs);
  }

  #cancelProbe(): void {
    if (this.#probe === undefined) return;
    this.#options.clock.clearTimeout(this.#probe);
    this.#probe = undefined;
  }

  #settleWaiters(generation: CredentialsGeneration | undefined, error: Error | undefined): void {
    if (this.#waiters.size === 0) return;
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) {
      this.#options.clock.clearTimeout(waiter.timer);
      if (generation) waiter.resolve(generation);
      else waiter.reject(error as Error);
    }
  }
}

function sameCredentials(a: BasicAuth, b: BasicAuth): boolean {
  return a.username === b?.username && a.password === b?.password;
}

function safeDispose(subscription: Subscription | undefined): void {
  try {
    subscription?.dispose();
  } catch {
    // A provider whose dispose throws must not break the binding.
  }
}
