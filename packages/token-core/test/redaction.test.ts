import { inspect } from 'node:util';
import {
  IdentityProviderError,
  RequestTimeoutError,
  StreamingCredentialsProvider,
  type TokenCoreEventName,
  type TokenManagerConfig,
} from '../src';
import { FakeIdentityProvider } from './support/fake-identity-provider';
import { advance, useFakeTime } from './support/fake-time';

const SECRET = 'eyJhbGciOi.SECRET-ACCESS-TOKEN.sig';
const EVENTS: TokenCoreEventName[] = [
  'tokenAcquired',
  'refreshFailed',
  'retryScheduled',
  'recoveryScheduled',
  'tokenExpired',
  'listenerError',
];

beforeEach(useFakeTime);
afterEach(() => {
  jest.useRealTimers();
});

describe('secrets', () => {
  it('never puts the token value in an event payload, an error, or their string forms', async () => {
    const config: TokenManagerConfig = {
      expirationRefreshRatio: 0.5,
      requestTimeoutMs: 1_000,
      retry: { maxAttempts: 1, initialDelayMs: 100, maxDelayMs: 500 },
    };
    // Succeeds, then times out, fails transiently until the token expires, then recovers and fails permanently.
    const idp = new FakeIdentityProvider<string>((call) => {
      if (call === 1 || call === 20) return { token: `${SECRET}-${call}`, ttlMs: 10_000 };
      if (call === 2) return 'hang';
      if (call === 21) return { error: new IdentityProviderError('invalid_client', { isRetryable: false }) };
      return { error: new IdentityProviderError('ECONNRESET', { isRetryable: true, retryAfterMs: 200 }) };
    });
    const provider = new StreamingCredentialsProvider<string>({
      identityProvider: idp,
      tokenManagerConfig: config,
      credentialsMapper: (token) => ({ username: 'app', password: token.value }),
      random: () => 0.5,
    });
    const captured: unknown[] = [];
    for (const name of EVENTS) provider.events.on(name, (payload) => captured.push(payload));
    const listener = {
      onNext: () => {
        throw new Error('subscriber failed');
      },
      onError: (error: Error) => captured.push(error),
    };
    await provider.subscribe(listener);
    await advance(10_000);
    let phase2Calls = 0;
    idp.setScript((call) =>
      ++phase2Calls === 1
        ? { token: `${SECRET}-${call}`, ttlMs: 10_000 }
        : { error: new IdentityProviderError('invalid_client', { isRetryable: false }) },
    );
    // Recovering after the expiry: the subscribe waits for the next recovery step.
    const resubscribed = provider.subscribe(listener);
    await advance(2_000);
    const [, subscription] = await resubscribed;
    await advance(10_000);
    subscription.dispose();

    const names = new Set(
      captured.map((c) => (c instanceof Error ? c.name : Object.keys(c as object).join(','))),
    );
    expect(names).toEqual(
      new Set([
        'expiresAtMs,receivedAtMs,refreshAtMs,attempt',
        'attempt,error,isRetryable,expiresAtMs',
        'attempt,delayMs,retryAtMs,error,expiresAtMs',
        'expiresAtMs,attempts,error',
        'step,delayMs,retryAtMs,error,expiresAtMs',
        'error,source',
        'TokenExpiredError',
        'RefreshFailedError',
      ]),
    );
    expect(captured.some((c) => (c as { error?: unknown }).error instanceof RequestTimeoutError)).toBe(true);
    for (const item of captured) {
      expect(inspect(item, { depth: null, showHidden: true })).not.toContain('SECRET');
      expect(JSON.stringify(item) ?? '').not.toContain('SECRET');
      expect(String(item)).not.toContain('SECRET');
      if (item instanceof Error) expect(`${item.message} ${item.stack}`).not.toContain('SECRET');
    }
    expect(inspect(provider, { depth: 4 })).not.toContain('SECRET');
    expect(inspect(provider.getCurrentToken())).not.toContain('SECRET');
  });
});
