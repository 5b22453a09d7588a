import {
  DEFAULT_RECOVERY_POLICY,
  DEFAULT_RETRY_POLICY,
  DEFAULT_TOKEN_MANAGER_CONFIG,
  InvalidOptionError,
  resolveTokenManagerConfig,
} from '../src';

describe('TokenManagerConfig', () => {
  it('defaults match the documented values', () => {
    expect(DEFAULT_TOKEN_MANAGER_CONFIG).toEqual({
      expirationRefreshRatio: 0.7,
      lowerRefreshBoundMs: 300_000,
      refreshJitterMs: 60_000,
      minRefreshIntervalMs: 500,
      requestTimeoutMs: 30_000,
      retry: DEFAULT_RETRY_POLICY,
      recovery: DEFAULT_RECOVERY_POLICY,
    });
    const { retry, ...rest } = resolveTokenManagerConfig();
    const { retry: _documentedRetry, ...documented } = DEFAULT_TOKEN_MANAGER_CONFIG;
    expect(rest).toEqual(documented);
    expect(retry).toMatchObject(DEFAULT_RETRY_POLICY);
  });

  it("accepts @redis/entraid's tokenManagerConfig as is", () => {
    const config = resolveTokenManagerConfig({
      expirationRefreshRatio: 0.8,
      retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, backoffMultiplier: 2 },
    });
    expect(config.expirationRefreshRatio).toBe(0.8);
    expect(config.retry).toMatchObject({
      maxAttempts: 3,
      initialDelayMs: 100,
      maxDelayMs: 1000,
      backoffMultiplier: 2,
    });
  });

  it('accepts the boundary values', () => {
    expect(() =>
      resolveTokenManagerConfig({
        expirationRefreshRatio: 1,
        lowerRefreshBoundMs: 0,
        refreshJitterMs: 0,
        minRefreshIntervalMs: 0,
        requestTimeoutMs: 1,
      }),
    ).not.toThrow();
  });

  it.each([
    ['expirationRefreshRatio', 0, 'a finite number greater than 0 and at most 1, got 0'],
    ['expirationRefreshRatio', 1.2, 'a finite number greater than 0 and at most 1, got 1.2'],
    ['lowerRefreshBoundMs', -1, 'a finite number at least 0 and at most 2147483647, got -1'],
    [
      'refreshJitterMs',
      Number.POSITIVE_INFINITY,
      'a finite number at least 0 and at most 2147483647, got Infinity',
    ],
    ['minRefreshIntervalMs', null, 'a finite number at least 0 and at most 2147483647, got null'],
    ['requestTimeoutMs', 0, 'a finite number at least 1 and at most 2147483647, got 0'],
  ])('rejects %s = %p naming the option and the accepted range', (option, value, expected) => {
    const attempt = () => resolveTokenManagerConfig({ [option]: value } as never);
    expect(attempt).toThrow(InvalidOptionError);
    expect(attempt).toThrow(`Invalid option "${option}": expected ${expected}`);
  });

  it('names nested retry options with their path', () => {
    expect(() => resolveTokenManagerConfig({ retry: { maxAttempts: -2 } })).toThrow('"retry.maxAttempts"');
  });
});
