import { inspect } from 'node:util';
import { type IdentityProvider, IdentityProviderError, type TokenResponse } from '@authx/token-core';

/** Redis credentials leased from the vault: the "token" of this identity provider. */
export class VaultLease {
  constructor(
    readonly username: string,
    readonly password: string,
  ) {}

  // Keep the password out of logs, JSON and util.inspect output.
  toJSON(): Record<string, string> {
    return { username: this.username, password: '[redacted]' };
  }

  [inspect.custom](): string {
    return `VaultLease { username: '${this.username}', password: [redacted] }`;
  }
}

/** Most leases whose expiry is remembered (for {@link VaultIdentityProvider.expiresAtMs}). */
const REMEMBERED_LEASES = 4;

/**
 * An identity provider for token-core: each `requestToken` leases new Redis credentials from the
 * vault. token-core decides when (before the lease ends, with jitter) and retries failures that
 * are marked retryable (network errors, 429, 5xx); a 4xx is permanent.
 */
export class VaultIdentityProvider implements IdentityProvider<VaultLease> {
  readonly #leaseExpiries = new Map<string, number>();

  constructor(private readonly vaultUrl: string) {}

  async requestToken(signal?: AbortSignal): Promise<TokenResponse<VaultLease>> {
    let response: Response;
    try {
      response = await fetch(`${this.vaultUrl}/v1/redis/creds`, { method: 'POST', signal });
    } catch (error) {
      throw new IdentityProviderError('the vault is unreachable', { cause: error, isRetryable: true });
    }
    if (!response.ok) {
      throw new IdentityProviderError(`the vault answered ${response.status}`, {
        isRetryable: response.status === 429 || response.status >= 500,
        status: response.status,
      });
    }
    const body = (await response.json()) as { username: string; password: string; lease_duration_ms: number };
    this.#remember(body.password, Date.now() + body.lease_duration_ms);
    return { token: new VaultLease(body.username, body.password), ttlMs: body.lease_duration_ms };
  }

  /** When a leased password stops working (epoch ms), for @authx/redis-auth's `expiresAtMs` option. */
  expiresAtMs(password: string | undefined): number | undefined {
    return password === undefined ? undefined : this.#leaseExpiries.get(password);
  }

  #remember(password: string, expiresAtMs: number): void {
    this.#leaseExpiries.set(password, expiresAtMs);
    for (const old of this.#leaseExpiries.keys()) {
      if (this.#leaseExpiries.size <= REMEMBERED_LEASES) break;
      this.#leaseExpiries.delete(old);
    }
  }
}
