import { inspect } from 'node:util';
import { type IdentityProvider, InvalidTokenResponseError, type TokenResponse } from '@authx/token-core';
import { toIdentityProviderError } from '../classify-error';
import { missingOidError } from '../credentials-mapper';
import { publishTokenRequest } from '../diagnostics';
import { readObjectId } from '../jwt-claims';
import { type IdpRequestContext, idpRequestContext } from '../network/request-context';
import type { Redactor } from '../redact';
import { raceAbort } from './race-abort';

/**
 * A token with less time left than this counts as expired: MSAL rounds expiry to whole seconds and
 * turns a managed-identity answer without `expires_on` into a token expiring "now", which can then
 * look up to a second in the future.
 */
export const MIN_TOKEN_TTL_MS = 1000;

/** The token string and expiry read from an IdP result. */
export interface TokenFields {
  accessToken: string | undefined;
  /** Epoch milliseconds; undefined when the result has none. */
  expiresAtMs: number | undefined;
  /**
   * The issuer's renewal hint, epoch milliseconds: before then a request returns this same token
   * (`refreshAfterTimestamp` of a TokenCredential, `refreshOn` of MSAL). Optional.
   */
  refreshAtMs?: number;
}

export interface EntraIdentityProviderOptions<R> {
  /** Flow name for messages, e.g. 'client credentials'. */
  flow: string;
  /** True for managed identity (all HTTP failures transient). */
  managedIdentity?: boolean;
  /** One token request; MSAL calls cannot be aborted, `signal` reaches only our network client. */
  acquire(signal: AbortSignal | undefined): Promise<R | null | undefined>;
  /** Reads the token string and expiry from a result. */
  read(result: R): TokenFields;
  /** When true (default credentials mapper), a token without `oid` is a permanent error. */
  requireOid: boolean;
  redact: Redactor;
  /** Called after a failed attempt, e.g. to drop an MSAL app that now throttles locally. */
  afterFailure?(context: IdpRequestContext): void;
  /** Reads the wall clock (MSAL reports expiry as wall-clock time); default Date.now. */
  nowMs?: () => number;
}

/**
 * token-core IdentityProvider around one Entra ID flow: runs each attempt with its own request
 * context, gives up on a hung call when token-core aborts, validates every result and turns every
 * failure into a classified IdentityProviderError.
 */
export class EntraIdentityProvider<R> implements IdentityProvider<R> {
  readonly #options: EntraIdentityProviderOptions<R>;
  readonly #nowMs: () => number;

  constructor(options: EntraIdentityProviderOptions<R>) {
    this.#options = options;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  /** Flow name, e.g. 'client credentials'. */
  get flow(): string {
    return this.#options.flow;
  }

  async requestToken(signal?: AbortSignal): Promise<TokenResponse<R>> {
    const flow = this.#options.flow;
    const startMs = performance.now();
    try {
      const response = await this.#request(signal);
      publishTokenRequest(() => ({ flow, durationMs: performance.now() - startMs, outcome: 'success' }));
      return response;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      publishTokenRequest(() => ({
        flow,
        durationMs: performance.now() - startMs,
        outcome: 'failure',
        errorCode: typeof code === 'string' ? code : 'UNKNOWN',
      }));
      throw error;
    }
  }

  async #request(signal: AbortSignal | undefined): Promise<TokenResponse<R>> {
    const { flow } = this.#options;
    const context: IdpRequestContext = { signal };
    let result: R | null | undefined;
    try {
      result = await idpRequestContext.run(context, () =>
        raceAbort(this.#options.acquire(signal), signal, flow),
      );
    } catch (error) {
      this.#options.afterFailure?.(context);
      throw toIdentityProviderError(error, {
        flow,
        managedIdentity: this.#options.managedIdentity,
        lastErrorResponse: context.lastErrorResponse,
        redact: this.#options.redact,
      });
    }
    return this.#validate(result);
  }

  #validate(result: R | null | undefined): TokenResponse<R> {
    const nowMs = this.#nowMs();
    if (result === null || result === undefined) throw this.#invalid('no result');
    const { accessToken, expiresAtMs, refreshAtMs } = this.#options.read(result);
    if (typeof accessToken !== 'string' || accessToken.length === 0)
      throw this.#invalid('an empty access token');
    if (expiresAtMs === undefined || !Number.isFinite(expiresAtMs))
      throw this.#invalid('a token without expiry');
    if (expiresAtMs - nowMs < MIN_TOKEN_TTL_MS) throw this.#invalid('a token that has already expired');
    if (this.#options.requireOid && readObjectId(accessToken) === undefined) throw missingOidError();
    const response: TokenResponse<R> = { token: result, ttlMs: expiresAtMs - nowMs };
    if (
      refreshAtMs !== undefined &&
      Number.isFinite(refreshAtMs) &&
      refreshAtMs > nowMs &&
      refreshAtMs < expiresAtMs
    ) {
      response.refreshAfterMs = refreshAtMs - nowMs;
    }
    return response;
  }

  /**
   * True when both results carry the same access token: managed identity endpoints and
   * TokenCredentials hand out a cached token until close to its expiry, and token-core then keeps
   * the token it holds instead of re-authenticating every connection with the same one.
   */
  isSameToken(previous: R, next: R): boolean {
    const a = this.#options.read(previous).accessToken;
    return typeof a === 'string' && a.length > 0 && a === this.#options.read(next).accessToken;
  }

  #invalid(what: string): InvalidTokenResponseError {
    // Seen for real: MSAL turns a 5xx with `{}` body into a result with accessToken "" (transient).
    return new InvalidTokenResponseError(
      `Entra ID ${this.#options.flow}: the identity provider returned ${what}`,
    );
  }

  toJSON(): Record<string, string> {
    return { type: 'EntraIdentityProvider', flow: this.#options.flow };
  }

  [inspect.custom](): string {
    return `EntraIdentityProvider { flow: '${this.#options.flow}' }`;
  }
}
