import {
  DEFAULT_RETRY_POLICY,
  defaultIsRetryable,
  IdentityProviderError,
  InvalidOptionError,
  InvalidTokenResponseError,
  RequestTimeoutError,
  resolveRetryPolicy,
  retryAfterMsOf,
  retryDelayMs,
} from '../src';
import { classifyFailure } from '../src/retry-policy';

const seedRetry = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, backoffMultiplier: 2 };

function delays(policy: ReturnType<typeof resolveRetryPolicy>, count: number, random = () => 0.5): number[] {
  return Array.from({ length: count }, (_, i) => retryDelayMs(policy, i + 1, random));
}

describe('RetryPolicy', () => {
  describe('defaults', () => {
    it('match the documented values', () => {
      expect(DEFAULT_RETRY_POLICY).toEqual({
        maxAttempts: 3,
        initialDelayMs: 1_000,
        maxDelayMs: 10_000,
        backoffMultiplier: 2,
        jitterPercentage: 20,
      });
      const resolved = resolveRetryPolicy();
      expect({ ...resolved, isRetryable: undefined }).toEqual({
        ...DEFAULT_RETRY_POLICY,
        isRetryable: undefined,
      });
      expect(resolved.isRetryable).toBe(defaultIsRetryable);
    });

    it('raises the default maxDelayMs to initialDelayMs when that is larger', () => {
      expect(resolveRetryPolicy({ initialDelayMs: 20_000 }).maxDelayMs).toBe(20_000);
    });
  });

  describe('delays', () => {
    it('grows exponentially and caps at maxDelayMs (jitter off)', () => {
      const policy = resolveRetryPolicy({ ...seedRetry, jitterPercentage: 0 });
      expect(delays(policy, 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
    });

    it('is the plain sequence at the centre of the jitter range', () => {
      expect(delays(resolveRetryPolicy(), 5)).toEqual([1000, 2000, 4000, 8000, 10000]);
    });

    it('stays within ±jitterPercentage/2 % of the delay and never above maxDelayMs', () => {
      const policy = resolveRetryPolicy({ ...seedRetry, jitterPercentage: 20 });
      expect(retryDelayMs(policy, 2, () => 0)).toBe(180);
      expect(retryDelayMs(policy, 2, () => 0.999999)).toBe(220);
      expect(retryDelayMs(policy, 10, () => 0.999999)).toBe(1000);
      expect(retryDelayMs(policy, 10, () => 0)).toBe(900);
    });

    it('keeps a constant delay with backoffMultiplier 1', () => {
      const policy = resolveRetryPolicy({ initialDelayMs: 250, backoffMultiplier: 1, jitterPercentage: 0 });
      expect(delays(policy, 4)).toEqual([250, 250, 250, 250]);
    });
  });

  describe('options', () => {
    it("accepts @redis/entraid's retry shape as is, including isRetryable and a fractional jitterPercentage", () => {
      const isRetryable = (error: unknown) => error instanceof TypeError;
      const policy = resolveRetryPolicy({ ...seedRetry, jitterPercentage: 0.1, isRetryable });
      expect(policy).toMatchObject({ ...seedRetry, jitterPercentage: 0.1 });
      expect(policy.isRetryable).toBe(isRetryable);
    });

    it.each([
      ['maxAttempts', -1, 'retry.maxAttempts', 'an integer at least 0 and at most 1000, got -1'],
      ['maxAttempts', 1.5, 'retry.maxAttempts', 'an integer at least 0 and at most 1000, got 1.5'],
      [
        'initialDelayMs',
        -5,
        'retry.initialDelayMs',
        'a finite number at least 0 and at most 2147483647, got -5',
      ],
      [
        'maxDelayMs',
        Number.NaN,
        'retry.maxDelayMs',
        'a finite number at least 0 and at most 2147483647, got NaN',
      ],
      [
        'backoffMultiplier',
        0.5,
        'retry.backoffMultiplier',
        'a finite number at least 1 and at most 100, got 0.5',
      ],
      [
        'jitterPercentage',
        150,
        'retry.jitterPercentage',
        'a finite number at least 0 and at most 100, got 150',
      ],
      [
        'jitterPercentage',
        '10',
        'retry.jitterPercentage',
        'a finite number at least 0 and at most 100, got a value of type string',
      ],
      ['isRetryable', true, 'retry.isRetryable', 'a function, got true'],
    ])('rejects %s = %p naming the option and the accepted range', (key, value, option, expected) => {
      const attempt = () => resolveRetryPolicy({ [key]: value } as never);
      expect(attempt).toThrow(InvalidOptionError);
      expect(attempt).toThrow(`Invalid option "${option}": expected ${expected}`);
      try {
        attempt();
      } catch (error) {
        expect(error).toMatchObject({ code: 'INVALID_OPTION', option, isRetryable: false });
      }
    });

    it('rejects a maxDelayMs below initialDelayMs', () => {
      expect(() => resolveRetryPolicy({ initialDelayMs: 500, maxDelayMs: 100 })).toThrow(
        'Invalid option "retry.maxDelayMs": expected a number at least retry.initialDelayMs (500), got 100',
      );
    });

    it('rejects a retry option that is not an object', () => {
      expect(() => resolveRetryPolicy(5 as never)).toThrow(
        'Invalid option "retry": expected an object, got 5',
      );
    });
  });

  describe('classification', () => {
    it("trusts an error's own isRetryable flag and retries anything else by default", () => {
      expect(defaultIsRetryable(new IdentityProviderError('bad secret', { isRetryable: false }))).toBe(false);
      expect(defaultIsRetryable(new IdentityProviderError('503', { isRetryable: true }))).toBe(true);
      expect(defaultIsRetryable(new Error('socket hang up'))).toBe(true);
      expect(defaultIsRetryable('weird')).toBe(true);
    });

    it('always treats its own timeouts and unusable responses as transient, whatever isRetryable says', () => {
      const policy = resolveRetryPolicy({ isRetryable: () => false });
      expect(classifyFailure(policy, new RequestTimeoutError(10), 0)).toBe(true);
      expect(classifyFailure(policy, new InvalidTokenResponseError('no ttl'), 0)).toBe(true);
      expect(classifyFailure(policy, new Error('x'), 0)).toBe(false);
    });

    it('passes the number of retries made so far and treats a throwing classifier as permanent', () => {
      const seen: number[] = [];
      const policy = resolveRetryPolicy({
        isRetryable: (_error, attempt) => {
          seen.push(attempt);
          return true;
        },
      });
      classifyFailure(policy, new Error('x'), 0);
      classifyFailure(policy, new Error('x'), 2);
      expect(seen).toEqual([0, 2]);
      const throwing = resolveRetryPolicy({
        isRetryable: () => {
          throw new Error('bug');
        },
      });
      expect(classifyFailure(throwing, new Error('x'), 0)).toBe(false);
    });
  });

  describe('retryAfterMsOf', () => {
    it('reads a non-negative finite retryAfterMs and ignores anything else', () => {
      expect(
        retryAfterMsOf(new IdentityProviderError('429', { isRetryable: true, retryAfterMs: 3000 })),
      ).toBe(3000);
      expect(retryAfterMsOf({ retryAfterMs: -1 })).toBeUndefined();
      expect(retryAfterMsOf({ retryAfterMs: '5' })).toBeUndefined();
      expect(retryAfterMsOf(null)).toBeUndefined();
      expect(retryAfterMsOf({ retryAfterMs: 1e12 })).toBe(2_147_483_647);
    });
  });
});
