import { InvalidOptionError } from '@authx/token-core';
import { createReconnectBackoff, DEFAULT_RECONNECT_BACKOFF } from '../../src';

describe('createReconnectBackoff', () => {
  const almostOne = () => 0.999_999;

  it('waits up to 1 s before the first reconnect, doubling the window per attempt up to 5 s (the documented defaults)', () => {
    expect(DEFAULT_RECONNECT_BACKOFF).toEqual({ initialDelayMs: 1000, maxDelayMs: 5000 });
    const backoff = createReconnectBackoff({ random: almostOne });
    expect([0, 1, 2, 3, 4, 5, 40].map((n) => backoff.delayMs(n))).toEqual([
      999, 1999, 3999, 4999, 4999, 4999, 4999,
    ]);
  });

  it('draws each delay uniformly from its window (full jitter): 0 at the bottom, half at the middle', () => {
    expect(createReconnectBackoff({ random: () => 0 }).delayMs(3)).toBe(0);
    expect(createReconnectBackoff({ random: () => 0.5 }).delayMs(2)).toBe(2000);
  });

  it('gives node-redis retries counted from 0 and ioredis times counted from 1 the same delays', () => {
    const backoff = createReconnectBackoff({ initialDelayMs: 100, maxDelayMs: 400, random: almostOne });
    expect([0, 1, 2, 3].map(backoff.reconnectStrategy)).toEqual([99, 199, 399, 399]);
    expect([1, 2, 3, 4].map(backoff.retryStrategy)).toEqual([99, 199, 399, 399]);
  });

  it('treats a nonsense attempt number as the first attempt and never gives up', () => {
    const backoff = createReconnectBackoff({ random: almostOne });
    expect([-1, Number.NaN, 1.5].map((n) => backoff.delayMs(n))).toEqual([999, 999, 999]);
    expect(backoff.reconnectStrategy(10_000)).toBe(4999);
  });

  it('a larger initialDelayMs without maxDelayMs raises the cap to it', () => {
    expect(createReconnectBackoff({ initialDelayMs: 20_000, random: almostOne }).delayMs(5)).toBe(19_999);
  });

  it.each([
    [{ initialDelayMs: 0 }, 'initialDelayMs'],
    [{ initialDelayMs: Number.POSITIVE_INFINITY }, 'initialDelayMs'],
    [{ initialDelayMs: 500, maxDelayMs: 100 }, 'maxDelayMs'],
    [{ maxDelayMs: '10s' }, 'maxDelayMs'],
    [{ random: 0.5 }, 'random'],
  ])('refuses %p naming the option', (options, option) => {
    expect(() => createReconnectBackoff(options as never)).toThrow(InvalidOptionError);
    expect(() => createReconnectBackoff(options as never)).toThrow(new RegExp(`"${option}"`));
  });
});
