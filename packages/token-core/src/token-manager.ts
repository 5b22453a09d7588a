import { type Clock, systemClock } from './clock';
import { DeadlineTimer } from './deadline-timer';
import { TokenCoreEventEmitter } from './diagnostics';
import { createDisposable, type Disposable } from './disposable';
import {
  type AuthxError,
  DisposedError,
  InvalidOptionError,
  InvalidTokenResponseError,
  RefreshFailedError,
  RequestTimeoutError,
  TokenExpiredError,
} from './errors';
import type { TokenCoreEvents } from './events';
import type { IdentityProvider, TokenResponse } from './identity-provider';
import { recoveryDelayMs } from './recovery-policy';
import { computeRefreshAtMs, computeRepeatRequestAtMs } from './refresh-schedule';
import { classifyFailure, jitterDelayMs, retryAfterMsOf, retryDelayMs } from './retry-policy';
import { Token } from './token';
import {
  type ResolvedTokenManagerConfig,
  resolveTokenManagerConfig,
  type TokenManagerConfig,
} from './token-manager-config';
import type { TypedEvents } from './typed-events';
import { functionOption } from './validate';

/** Receives what a running {@link TokenManager} produces. */
export interface TokenManagerListener<T> {
  /** A new token was obtained (the first one, then one per refresh). */
  onNext(token: Token<T>): void;
  /**
   * The manager has no fresh token to give: a `RefreshFailedError` (permanent error, no token and
   * every retry failed, or a failed recovery request) or a `TokenExpiredError`. With recovery on
   * (the default) the manager keeps running and calls `onNext` once a request succeeds again; with
   * `recovery: false` it has stopped and `start()` resumes it.
   */
  onError(error: AuthxError): void;
  /** A request failed transiently; the manager keeps trying. */
  onRetryableError?(error: unknown): void;
}

/** Collaborators of a {@link TokenManager}; all optional. */
export interface TokenManagerOptions {
  /** Source of time and timers. Default `systemClock`. */
  clock?: Clock;
  /** Random numbers in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
  /** Emitter to publish events on (lets a provider share one). Default: a new one. */
  events?: TokenCoreEventEmitter;
}

/** State of one start()…stop() run; callbacks from an earlier run see `stopped` and do nothing. */
interface Run<T> {
  readonly listener: TokenManagerListener<T>;
  readonly next: DeadlineTimer;
  readonly expiry: DeadlineTimer;
  readonly timeout: DeadlineTimer;
  controller: AbortController | undefined;
  /** IdP calls made in the current refresh. */
  attempts: number;
  /** Retries scheduled in the current refresh. */
  retries: number;
  lastError: unknown;
  /** True once the run has given up on the normal refresh and makes one request per recovery step. */
  recovering: boolean;
  stopped: boolean;
}

/** Recovery progress; kept across stop() / start() so restarts cannot bypass the backoff. */
interface RecoveryGate {
  /** Recovery steps taken since the last success (1 = first). */
  readonly step: number;
  /** No request before this time (epoch ms). */
  readonly notBeforeMs: number;
}

/**
 * Owns one refresh loop for one identity: obtains a token, refreshes it before it expires
 * (see `TokenManagerConfig` for when), retries transient failures with backoff and, while the
 * current token is still valid, never gives up on them. A permanent failure stops the loop at once
 * and keeps the current token; expiry without a new token stops it and drops the token.
 */
export class TokenManager<T> implements Disposable {
  /** The validated configuration, defaults filled in. */
  readonly config: ResolvedTokenManagerConfig;
  /** `tokenAcquired`, `refreshFailed`, `retryScheduled`, `tokenExpired`, `listenerError`. */
  readonly events: TypedEvents<TokenCoreEvents>;
  readonly #identityProvider: IdentityProvider<T>;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #emitter: TokenCoreEventEmitter;
  #token: Token<T> | undefined;
  #lastRequestAtMs: number | undefined;
  #run: Run<T> | undefined;
  #recovery: RecoveryGate | undefined;

  constructor(
    identityProvider: IdentityProvider<T>,
    config?: TokenManagerConfig,
    options: TokenManagerOptions = {},
  ) {
    if (typeof identityProvider?.requestToken !== 'function') {
      throw new InvalidOptionError(
        'identityProvider',
        'an object with a requestToken(signal) method',
        identityProvider,
      );
    }
    this.config = resolveTokenManagerConfig(config);
    this.#identityProvider = identityProvider;
    this.#clock = options.clock ?? systemClock;
    if (
      ['now', 'setTimeout', 'clearTimeout'].some((key) => typeof (this.#clock as any)?.[key] !== 'function')
    ) {
      throw new InvalidOptionError(
        'clock',
        'an object with now(), setTimeout() and clearTimeout() methods',
        this.#clock,
      );
    }
    this.#random = functionOption('random', options.random, Math.random);
    this.#emitter = options.events ?? new TokenCoreEventEmitter();
    this.events = this.#emitter;
  }

  /**
   * Starts the loop (stopping a previous run first). With a still-valid token it waits for that
   * token's refresh time; otherwise it requests a token at once. Returns a Disposable that stops it.
   */
  start(listener: TokenManagerListener<T>): Disposable {
    this.stop();
    const run: Run<T> = {
      listener,
      next: new DeadlineTimer(this.#clock),
      expiry: new DeadlineTimer(this.#clock),
      timeout: new DeadlineTimer(this.#clock),
      controller: undefined,
      attempts: 0,
      retries: 0,
      lastError: undefined,
      recovering: false,
      stopped: false,
    };
    this.#run = run;
    const token = this.#token;
    const recovery = this.#recovery;
    if (recovery) {
      // A failed refresh is being recovered: a restart continues the backoff, it never skips it.
      run.recovering = true;
      if (token && !token.isExpired(this.#clock.now())) {
        run.expiry.at(token.expiresAtMs, () => this.#expireWhileRecovering(run));
      } else {
        this.#token = undefined;
      }
      run.next.at(Math.max(recovery.notBeforeMs, this.#clock.now()), () => this.#attempt(run));
    } else if (token && !token.isExpired(this.#clock.now())) {
      // Restarting after a stop: keep the refresh time, but do not let quick restarts hammer the IdP.
      const notBeforeMs =
        (this.#lastRequestAtMs ?? Number.NEGATIVE_INFINITY) + this.config.minRefreshIntervalMs;
      run.next.at(Math.max(this.refreshAtMs(token), notBeforeMs), () => this.#attempt(run));
    } else {
      // An expired token is no fallback: this is a first acquisition, retried per policy.
      this.#token = undefined;
      this.#attempt(run);
    }
    return createDisposable(() => {
      if (this.#run === run) this.stop();
    });
  }

  /** Stops the loop: cancels every timer and aborts a request in flight. The current token is kept. */
  stop(): void {
    const run = this.#run;
    if (!run) return;
    this.#run = undefined;
    this.#halt(run);
  }

  /** Same as {@link stop}. */
  dispose(): void {
    this.stop();
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  isRunning(): boolean {
    return this.#run !== undefined;
  }

  /** The last token obtained, if any (check `isExpired` — after a stop it is not refreshed). */
  getCurrentToken(): Token<T> | undefined {
    return this.#token;
  }

  /** When `token` would be refreshed (epoch ms), with a fresh jitter draw. */
  refreshAtMs(token: Token<T>): number {
    return computeRefreshAtMs(token, this.config, this.#random);
  }

  #attempt(run: Run<T>): void {
    run.attempts++;
    const controller = new AbortController();
    run.controller = controller;
    this.#lastRequestAtMs = this.#clock.now();
    let settled = false;
    const settle = (): boolean => {
      if (settled || run.stopped || run.controller !== controller) return false;
      settled = true;
      run.controller = undefined;
      run.timeout.cancel();
      return true;
    };
    run.timeout.at(this.#clock.now() + this.config.requestTimeoutMs, () => {
      if (!settle()) return;
      const error = new RequestTimeoutError(this.config.requestTimeoutMs);
      controller.abort(error);
      this.#onFailure(run, error);
    });
    let request: Promise<TokenResponse<T>>;
    try {
      request = Promise.resolve(this.#identityProvider.requestToken(controller.signal));
    } catch (error) {
      request = Promise.reject(error);
    }
    request.then(
      (response) => {
        if (settle()) this.#onResponse(run, response);
      },
      (error: unknown) => {
        if (settle()) this.#onFailure(run, error);
      },
    );
  }

  #onResponse(run: Run<T>, response: TokenResponse<T>): void {
    const problem = describeInvalidResponse(response);
    if (problem) {
      this.#onFailure(
        run,
        new InvalidTokenResponseError(`Identity provider returned an unusable token: ${problem}`),
      );
      return;
    }
    const nowMs = this.#clock.now();
    const held = this.#token;
    if (held && !held.isExpired(nowMs) && this.#isSameToken(held.value, response.token)) {
      this.#onSameToken(run, held, response, nowMs);
      return;
    }
    const hintMs = renewalHintMs(response);
    const token = new Token(
      response.token,
      nowMs + response.ttlMs,
      nowMs,
      hintMs === undefined ? undefined : nowMs + hintMs,
    );
    this.#token = token;
    const attempt = run.attempts;
    run.attempts = 0;
    run.retries = 0;
    run.lastError = undefined;
    run.recovering = false;
    this.#recovery = undefined;
    run.expiry.cancel();
    const refreshAtMs = this.refreshAtMs(token);
    run.next.at(refreshAtMs, () => this.#attempt(run));
    this.#emitter.emit('tokenAcquired', {
      expiresAtMs: token.expiresAtMs,
      receivedAtMs: token.receivedAtMs,
      refreshAtMs,
      attempt,
    });
    if (!run.stopped) this.#notify(run, 'onNext', token);
  }

  /**
   * The identity provider answered with the token already held: keep it (and its expiry), pass
   * nothing on, and ask again when the provider is likely to renew (see `computeRepeatRequestAtMs`).
   * The answer proves the provider healthy, so a recovery in progress ends here.
   */
  #onSameToken(run: Run<T>, held: Token<T>, response: TokenResponse<T>, nowMs: number): void {
    const hintMs = renewalHintMs(response);
    const schedule = {
      receivedAtMs: held.receivedAtMs,
      expiresAtMs: held.expiresAtMs,
      renewableAtMs: hintMs === undefined ? held.renewableAtMs : nowMs + hintMs,
    };
    const next = computeRepeatRequestAtMs(schedule, nowMs, this.config);
    run.retries = 0;
    run.lastError = undefined;
    if (run.recovering) {
      run.recovering = false;
      this.#recovery = undefined;
      run.expiry.cancel();
    }
    if (!run.expiry.armed) run.expiry.at(held.expiresAtMs, () => this.#expire(run));
    run.next.at(next.atMs, () => this.#attempt(run));
    this.#emitter.emit('tokenUnchanged', {
      attempt: run.attempts,
      expiresAtMs: held.expiresAtMs,
      nextRequestAtMs: next.atMs,
      basis: next.basis,
    });
  }

  #isSameToken(previous: T, next: T): boolean {
    const provider = this.#identityProvider;
    if (typeof provider.isSameToken !== 'function') return Object.is(previous, next);
    try {
      return provider.isSameToken(previous, next) === true;
    } catch {
      // A comparison that throws cannot prove the token repeated: treat it as new (the old behaviour).
      return false;
    }
  }

  #onFailure(run: Run<T>, error: unknown): void {
    const nowMs = this.#clock.now();
    const policy = this.config.retry;
    const isRetryable = classifyFailure(policy, error, run.retries);
    const token = this.#token;
    run.lastError = error;
    this.#emitter.emit('refreshFailed', {
      attempt: run.attempts,
      error,
      isRetryable,
      expiresAtMs: token?.expiresAtMs,
    });
    if (run.stopped) return;
    if (run.recovering) {
      this.#scheduleRecovery(
        run,
        new RefreshFailedError({ reason: 'recovery-failed', attempts: run.attempts, lastError: error }),
      );
      return;
    }
    if (!isRetryable) {
      this.#fail(
        run,
        new RefreshFailedError({ reason: 'permanent-error', attempts: run.attempts, lastError: error }),
      );
      return;
    }
    if (token?.isExpired(nowMs)) {
      this.#expire(run);
      return;
    }
    let delayMs: number;
    if (run.retries < policy.maxAttempts) {
      delayMs = retryDelayMs(policy, run.retries + 1, this.#random);
    } else if (token) {
      // Retries are used up but the token is still good: keep trying at the slowest cadence until it expires.
      delayMs = Math.max(
        jitterDelayMs(policy, policy.maxDelayMs, this.#random),
        this.config.minRefreshIntervalMs,
      );
    } else {
      this.#fail(
        run,
        new RefreshFailedError({ reason: 'retries-exhausted', attempts: run.attempts, lastError: error }),
      );
      return;
    }
    delayMs = Math.max(delayMs, retryAfterMsOf(error) ?? 0);
    run.retries++;
    if (token && !run.expiry.armed) run.expiry.at(token.expiresAtMs, () => this.#expire(run));
    run.next.at(nowMs + delayMs, () => this.#attempt(run));
    this.#emitter.emit('retryScheduled', {
      attempt: run.attempts + 1,
      delayMs,
      retryAtMs: nowMs + delayMs,
      error,
      expiresAtMs: token?.expiresAtMs,
    });
    if (!run.stopped) this.#notify(run, 'onRetryableError', error);
  }

  #expire(run: Run<T>): void {
    const token = this.#token as Token<T>;
    this.#token = undefined;
    this.#emitter.emit('tokenExpired', {
      expiresAtMs: token.expiresAtMs,
      attempts: run.attempts,
      error: run.lastError,
    });
    this.#fail(
      run,
      new TokenExpiredError({ expiredAtMs: token.expiresAtMs, attempts: run.attempts, cause: run.lastError }),
    );
  }

  /** The kept token ran out while the run was recovering: drop it, say so, keep recovering. */
  #expireWhileRecovering(run: Run<T>): void {
    const token = this.#token;
    if (!token || run.stopped) return;
    this.#token = undefined;
    this.#emitter.emit('tokenExpired', {
      expiresAtMs: token.expiresAtMs,
      attempts: run.attempts,
      error: run.lastError,
    });
    this.#notify(
      run,
      'onError',
      new TokenExpiredError({ expiredAtMs: token.expiresAtMs, attempts: run.attempts, cause: run.lastError }),
    );
  }

  /**
   * Gives up on the normal refresh of `run` and tells its listener why. With recovery on, the run
   * goes on making one request per recovery step; otherwise it stops.
   */
  #fail(run: Run<T>, error: AuthxError): void {
    if (this.config.recovery && !run.stopped) {
      // Whatever was pending belongs to the refresh that just failed.
      run.next.cancel();
      run.timeout.cancel();
      const controller = run.controller;
      run.controller = undefined;
      controller?.abort(error);
      run.recovering = true;
      run.retries = 0;
      this.#scheduleRecovery(run, error);
      return;
    }
    if (this.#run === run) this.#run = undefined;
    const wasStopped = run.stopped;
    this.#halt(run);
    if (!wasStopped) this.#notify(run, 'onError', error);
  }

  /** Schedules the next recovery request of `run` and reports `error` to its listener. */
  #scheduleRecovery(run: Run<T>, error: AuthxError): void {
    const policy = this.config.recovery;
    if (!policy) return;
    const step = (this.#recovery?.step ?? 0) + 1;
    const nowMs = this.#clock.now();
    const delayMs = Math.max(recoveryDelayMs(policy, step, this.#random), retryAfterMsOf(run.lastError) ?? 0);
    this.#recovery = { step, notBeforeMs: nowMs + delayMs };
    const token = this.#token;
    if (token && !token.isExpired(nowMs)) {
      if (!run.expiry.armed) run.expiry.at(token.expiresAtMs, () => this.#expireWhileRecovering(run));
    } else {
      this.#token = undefined;
    }
    run.next.at(nowMs + delayMs, () => this.#attempt(run));
    this.#emitter.emit('recoveryScheduled', {
      step,
      delayMs,
      retryAtMs: nowMs + delayMs,
      error,
      expiresAtMs: this.#token?.expiresAtMs,
    });
    if (!run.stopped) this.#notify(run, 'onError', error);
  }

  #halt(run: Run<T>): void {
    run.stopped = true;
    run.next.cancel();
    run.expiry.cancel();
    run.timeout.cancel();
    const controller = run.controller;
    run.controller = undefined;
    controller?.abort(new DisposedError('TokenManager'));
  }

  #notify<K extends keyof TokenManagerListener<T>>(
    run: Run<T>,
    method: K,
    argument: Parameters<NonNullable<TokenManagerListener<T>[K]>>[0],
  ): void {
    try {
      (run.listener[method] as ((argument: unknown) => void) | undefined)?.call(run.listener, argument);
    } catch (error) {
      this.#emitter.emit('listenerError', { error, source: method });
    }
  }
}

/** The response's renewal hint (ms from receipt) when usable: finite, in [0, ttlMs). */
function renewalHintMs(response: TokenResponse<unknown>): number | undefined {
  const hintMs = response.refreshAfterMs;
  if (typeof hintMs !== 'number' || !Number.isFinite(hintMs)) return undefined;
  return hintMs >= 0 && hintMs < response.ttlMs ? hintMs : undefined;
}

function describeInvalidResponse(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null)
    return `expected { token, ttlMs }, got ${typeof response}`;
  const { token, ttlMs } = response as { token?: unknown; ttlMs?: unknown };
  if (token === undefined || token === null) return 'token is missing';
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    return `ttlMs must be a positive number of milliseconds, got ${typeof ttlMs === 'number' ? ttlMs : typeof ttlMs}`;
  }
  return undefined;
}
