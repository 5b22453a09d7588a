import { inspect } from 'node:util';
import { IdentityProviderError, InvalidTokenResponseError, RequestTimeoutError } from '@authx/token-core';
import { ServerError } from '@azure/msal-node';
import { EntraIdErrorCode } from '../../src/error-codes';
import {
  EntraIdentityProvider,
  MIN_TOKEN_TTL_MS,
  type TokenFields,
} from '../../src/identity-providers/entra-identity-provider';
import { idpRequestContext } from '../../src/network/request-context';
import { createRedactor } from '../../src/redact';

const NOW_MS = 1_800_000_000_000;

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.c2ln`;
}

interface FakeResult {
  accessToken?: string;
  expiresAtMs?: number;
}

function provider(
  acquire: (signal?: AbortSignal) => Promise<FakeResult | null>,
  extra: { requireOid?: boolean; afterFailure?: () => void } = {},
) {
  return new EntraIdentityProvider<FakeResult>({
    flow: 'test flow',
    acquire,
    read: (r): TokenFields => ({ accessToken: r.accessToken, expiresAtMs: r.expiresAtMs }),
    requireOid: extra.requireOid ?? true,
    redact: createRedactor([]),
    afterFailure: extra.afterFailure,
    nowMs: () => NOW_MS,
  });
}

describe('EntraIdentityProvider', () => {
  describe('results', () => {
    it('returns the result with ttl counted from now', async () => {
      const result = { accessToken: jwt({ oid: 'o-1' }), expiresAtMs: NOW_MS + 60_000 };
      await expect(provider(async () => result).requestToken()).resolves.toEqual({
        token: result,
        ttlMs: 60_000,
      });
    });

    it.each([
      ['no result', null],
      ['an empty access token', { accessToken: '', expiresAtMs: NOW_MS + 1000 }],
      ['a token without expiry', { accessToken: jwt({ oid: 'o' }) }],
      ['a token that has already expired', { accessToken: jwt({ oid: 'o' }), expiresAtMs: NOW_MS }],
      [
        'a token that has already expired',
        { accessToken: jwt({ oid: 'o' }), expiresAtMs: NOW_MS + MIN_TOKEN_TTL_MS - 1 },
      ],
    ])('rejects %s with a transient InvalidTokenResponseError', async (what, result) => {
      const error = await provider(async () => result as FakeResult | null)
        .requestToken()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidTokenResponseError);
      expect(error).toMatchObject({ isRetryable: true, message: expect.stringContaining(what) });
    });

    it('rejects a token without oid permanently when the default mapper needs it', async () => {
      const error = await provider(async () => ({
        accessToken: jwt({ sub: 'x' }),
        expiresAtMs: NOW_MS + 1000,
      }))
        .requestToken()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: EntraIdErrorCode.MISSING_OID_CLAIM, isRetryable: false });
    });

    it('accepts a token without oid when a custom mapper is used', async () => {
      const p = provider(async () => ({ accessToken: 'opaque', expiresAtMs: NOW_MS + 1000 }), {
        requireOid: false,
      });
      await expect(p.requestToken()).resolves.toMatchObject({ ttlMs: 1000 });
    });
  });

  describe('failures', () => {
    it('classifies the thrown error and reports the attempt to afterFailure', async () => {
      const afterFailure = jest.fn();
      const p = provider(
        async () => {
          throw new ServerError('invalid_client', '', 'bad secret', '', '7000215', 401);
        },
        { afterFailure },
      );
      await expect(p.requestToken()).rejects.toMatchObject({
        code: EntraIdErrorCode.INVALID_CLIENT,
        isRetryable: false,
        status: 401,
      });
      expect(afterFailure).toHaveBeenCalledTimes(1);
    });

    it('uses the Retry-After the network client recorded during the attempt', async () => {
      const p = provider(async () => {
        const context = idpRequestContext.getStore();
        if (context) context.lastErrorResponse = { status: 429, retryAfterMs: 4000 };
        throw new ServerError('throttled', '', 'x', '', undefined, 429);
      });
      await expect(p.requestToken()).rejects.toMatchObject({
        code: EntraIdErrorCode.THROTTLED,
        retryAfterMs: 4000,
      });
    });

    it('gives each attempt its own context', async () => {
      const seen: unknown[] = [];
      const p = provider(async () => {
        seen.push(idpRequestContext.getStore()?.lastErrorResponse);
        const context = idpRequestContext.getStore();
        if (context) context.lastErrorResponse = { status: 503 };
        throw new Error('x');
      });
      await p.requestToken().catch(() => undefined);
      await p.requestToken().catch(() => undefined);
      expect(seen).toEqual([undefined, undefined]);
    });
  });

  describe('abort', () => {
    it('rejects with the abort reason token-core gave when a call hangs', async () => {
      const controller = new AbortController();
      const pending = provider(() => new Promise<never>(() => undefined)).requestToken(controller.signal);
      const timeout = new RequestTimeoutError(100);
      controller.abort(timeout);
      await expect(pending).rejects.toBe(timeout);
    });

    it('rejects with a transient REQUEST_ABORTED error for any other reason', async () => {
      const controller = new AbortController();
      const pending = provider(() => new Promise<never>(() => undefined)).requestToken(controller.signal);
      controller.abort();
      await expect(pending).rejects.toMatchObject({
        code: EntraIdErrorCode.REQUEST_ABORTED,
        isRetryable: true,
      });
      await expect(pending).rejects.toBeInstanceOf(IdentityProviderError);
    });

    it('passes the signal to the acquire function (our network client aborts with it)', async () => {
      const controller = new AbortController();
      let received: AbortSignal | undefined;
      await provider(async (signal) => {
        received = signal;
        return { accessToken: jwt({ oid: 'o' }), expiresAtMs: NOW_MS + 1000 };
      }).requestToken(controller.signal);
      expect(received).toBe(controller.signal);
    });
  });

  it('shows only its flow in util.inspect and JSON', () => {
    const p = provider(async () => null);
    expect(inspect(p, { depth: 10 })).toBe("EntraIdentityProvider { flow: 'test flow' }");
    expect(JSON.stringify(p)).toBe('{"type":"EntraIdentityProvider","flow":"test flow"}');
  });
});
