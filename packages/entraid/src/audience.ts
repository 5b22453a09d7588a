import { inspect } from 'node:util';
import { type IdentityProvider, IdentityProviderError, type TokenResponse } from '@authx/token-core';
import { EntraIdErrorCode } from './error-codes';
import { invalidOption } from './invalid-option';
import { readJwtClaims } from './jwt-claims';

/**
 * The `aud` values Azure Cache for Redis / Azure Managed Redis accept, in the forms Entra ID issues
 * them: the resource URI (with a trailing slash when the request named it so) and the Redis
 * resource's application id (v2 tokens, scope `acca5fbb-…/.default`).
 */
export const REDIS_AUDIENCES: readonly string[] = Object.freeze([
  'https://redis.azure.com',
  'https://redis.azure.com/',
  'acca5fbb-b7e4-4009-81f1-37e38fd66d78',
]);

/** `expectedAudiences` checked: a non-empty array of non-empty strings, or the Redis audiences when absent. */
export function expectedAudiencesOption(value: unknown): readonly string[] {
  if (value === undefined) return REDIS_AUDIENCES;
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((a) => typeof a === 'string' && a.trim().length > 0)
  ) {
    throw invalidOption(
      'expectedAudiences',
      'a non-empty array of non-empty audience strings, e.g. ["https://redis.azure.com", "acca5fbb-b7e4-4009-81f1-37e38fd66d78"]',
      value,
    );
  }
  return Object.freeze([...value]);
}

/** The token is not for one of the expected audiences: never sent to Redis; permanent. */
export function wrongAudienceError(
  flow: string,
  audience: unknown,
  expected: readonly string[],
): IdentityProviderError {
  const got =
    audience === undefined
      ? 'no readable aud claim'
      : `aud ${JSON.stringify(Array.isArray(audience) ? audience.map(String) : String(audience))}`;
  return new IdentityProviderError(
    `Entra ID ${flow}: the token is for another resource (${got}), not for Redis (expected one of ${expected.join(', ')}); ` +
      'it is not sent to Redis. Request the Redis scope (https://redis.azure.com/.default, managed identity resource ' +
      'https://redis.azure.com), or set expectedAudiences for a sovereign cloud or a custom resource',
    { code: EntraIdErrorCode.WRONG_AUDIENCE, isRetryable: false },
  );
}

/** True when the JWT's `aud` (a string, or an array of strings) names one of `expected`. */
export function hasExpectedAudience(accessToken: string, expected: readonly string[]): boolean {
  const aud = readJwtClaims(accessToken)?.aud;
  const list = Array.isArray(aud) ? aud : [aud];
  return list.some((a) => typeof a === 'string' && expected.includes(a));
}

/** What the audience check needs to read the token out of a flow's result. */
interface AudienceCheckedProvider<R> extends IdentityProvider<R> {
  readonly flow: string;
}

/**
 * Wraps a flow's identity provider: every fresh token whose `aud` is not expected fails with
 * `WRONG_AUDIENCE` (permanent, so the token manager does not retry it in a loop) before anyone
 * can hand it to Redis.
 */
export class AudienceCheckingIdentityProvider<R> implements IdentityProvider<R> {
  readonly #inner: AudienceCheckedProvider<R>;
  readonly #expected: readonly string[];
  readonly #accessTokenOf: (result: R) => string | undefined;

  constructor(
    inner: AudienceCheckedProvider<R>,
    expected: readonly string[],
    accessTokenOf: (result: R) => string | undefined,
  ) {
    this.#inner = inner;
    this.#expected = expected;
    this.#accessTokenOf = accessTokenOf;
  }

  get flow(): string {
    return this.#inner.flow;
  }

  async requestToken(signal?: AbortSignal): Promise<TokenResponse<R>> {
    const response = await this.#inner.requestToken(signal);
    const accessToken = this.#accessTokenOf(response.token) ?? '';
    if (!hasExpectedAudience(accessToken, this.#expected)) {
      throw wrongAudienceError(this.#inner.flow, readJwtClaims(accessToken)?.aud, this.#expected);
    }
    return response;
  }

  /**
   * Same access token in both results: managed identity endpoints and TokenCredentials return
   * their cached token until close to expiry, and token-core then keeps the token it holds.
   */
  isSameToken(previous: R, next: R): boolean {
    const a = this.#accessTokenOf(previous);
    return typeof a === 'string' && a.length > 0 && a === this.#accessTokenOf(next);
  }

  toJSON(): Record<string, string> {
    return { type: 'EntraIdentityProvider', flow: this.#inner.flow };
  }

  [inspect.custom](): string {
    return `EntraIdentityProvider { flow: '${this.#inner.flow}' }`;
  }
}
