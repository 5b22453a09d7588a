import { EntraIdCredentialsProviderFactory as Factory } from '../../src';
import type { AccessToken, TokenCredential } from '../../src';

function jwt(uti: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none' })}.${part({ aud: 'https://redis.azure.com', oid: 'oid-1', uti })}.c2lnbmF0dXJl`;
}

/**
 * A TokenCredential with a cache, as @azure/identity's are: the same token until its
 * `refreshAfterTimestamp`, then a new one. Times are relative to its creation.
 */
class CachingCredential implements TokenCredential {
  readonly calls: number[] = [];
  readonly #startMs = Date.now();
  #issued = 0;
  #current: AccessToken | undefined;

  constructor(
    readonly lifetimeMs: number,
    readonly refreshAfterMs: number,
  ) {}

  async getToken(): Promise<AccessToken> {
    const nowMs = Date.now();
    this.calls.push(nowMs - this.#startMs);
    if (!this.#current || nowMs >= (this.#current.refreshAfterTimestamp as number)) {
      this.#issued++;
      this.#current = {
        token: jwt(`token-${this.#issued}`),
        expiresOnTimestamp: nowMs + this.lifetimeMs,
        refreshAfterTimestamp: nowMs + this.refreshAfterMs,
      };
    }
    return this.#current;
  }
}

describe('a TokenCredential’s refreshAfterTimestamp', () => {
  it('schedules the refresh no earlier than the hint, even when the configured ratio says earlier', async () => {
    const credential = new CachingCredential(3_600_000, 3_000_000);
    const provider = Factory.createForDefaultAzureCredential({ credential });
    const acquired: Array<{ refreshAtMs: number; receivedAtMs: number }> = [];
    provider.events.on('tokenAcquired', (event) => acquired.push(event));
    const [, subscription] = await provider.subscribe({ onNext() {}, onError() {} });
    // Default ratio 0.7 would refresh after 42 minutes; the credential says not before 50.
    expect(acquired[0].refreshAtMs - acquired[0].receivedAtMs).toBeGreaterThanOrEqual(3_000_000 - 5);
    subscription.dispose();
    provider.dispose();
  });

  it('asks at the hint rather than at the configured 10 %, and passes only the new token on', async () => {
    // 4 s tokens, renewable after 1.2 s; the provider is told to refresh after 10 % (0.4 s).
    const credential = new CachingCredential(4000, 1200);
    const provider = Factory.createForDefaultAzureCredential({
      credential,
      tokenManagerConfig: { expirationRefreshRatio: 0.1, lowerRefreshBoundMs: 0, refreshJitterMs: 0 },
    });
    const received: string[] = [];
    const [first, subscription] = await provider.subscribe({
      onNext: (credentials) => received.push(credentials.password ?? ''),
      onError() {},
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    subscription.dispose();
    provider.dispose();
    // The first request at 0, the next at the hint (1.2 s) — not at 0.4 s — and a new token then.
    expect(credential.calls).toHaveLength(2);
    expect(credential.calls[1]).toBeGreaterThanOrEqual(1195);
    expect(received).toHaveLength(1);
    expect(received[0]).not.toBe(first.password);
  });
});
