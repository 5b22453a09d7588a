import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, type KeyLike, SignJWT } from 'jose';
import type { BasicAuth, Disposable } from '@authx/token-core';
import type { CredentialsListener, StreamingProvider } from '../../src';

/** Tenant (`tid`) of the test tokens: the gateway's cache tenant. */
export const TEST_TENANT_ID = 'test-tenant';
/** Object id (`oid`, the Redis username) of a provider that names none. */
export const TEST_OID = 'oid-test-app';

/** What the gateway needs to admit the test tokens, as Azure would: their tenant and the principal's access policy. */
export const TEST_GATEWAY_ACCESS = {
  tenants: [TEST_TENANT_ID],
  accessPolicyAssignments: [{ objectId: TEST_OID, accessPolicyName: 'Data Owner' }],
};

export interface JwtSigner {
  readonly jwks: { keys: JWK[] };
  sign(oid: string, lifetimeMs: number): Promise<string>;
}

/** An RS256 key pair and its JWKS, for tokens the gateway accepts (aud https://redis.azure.com). */
export async function createJwtSigner(): Promise<JwtSigner> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    sign: (oid, lifetimeMs) => signToken(privateKey, oid, lifetimeMs),
  };
}

function signToken(key: KeyLike, oid: string, lifetimeMs: number): Promise<string> {
  const nowMs = Date.now();
  return (
    new SignJWT({ oid, tid: TEST_TENANT_ID })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setAudience('https://redis.azure.com')
      .setIssuer(`https://sts.windows.net/${TEST_TENANT_ID}/`)
      // Unique per token, as Entra's `uti`: two tokens minted in the same second still differ.
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(nowMs / 1000))
      .setNotBefore(Math.floor(nowMs / 1000) - 5)
      // exp has second precision: round down so the token never outlives the requested lifetime.
      .setExpirationTime(Math.floor((nowMs + lifetimeMs) / 1000))
      .sign(key)
  );
}

export interface JwtTokenProviderOptions {
  signer: JwtSigner;
  oid?: string;
  /** Token lifetime in ms (the gateway evicts at exp, which has second precision). */
  lifetimeMs: number;
  /** New token after this share of the lifetime; default 0.5. 0 disables automatic refresh. */
  refreshRatio?: number;
}

/**
 * A small streaming credentials provider for tests: mints a JWT (username = oid, password =
 * token) like Entra ID does, refreshes it on a timer, shares one loop between subscribers and
 * counts what the tests need to check (subscriptions, listeners, errors reported back).
 */
export class JwtTokenProvider implements StreamingProvider {
  readonly type = 'streaming-credentials-provider' as const;
  readonly reauthErrors: Error[] = [];
  subscribeCalls = 0;
  tokensIssued = 0;
  failSubscribeWith: Error | undefined;
  readonly #listeners = new Set<CredentialsListener>();
  readonly #options: Required<Omit<JwtTokenProviderOptions, 'oid'>> & { oid: string };
  #current: BasicAuth | undefined;
  #timer: NodeJS.Timeout | undefined;
  #starting: Promise<BasicAuth> | undefined;

  constructor(options: JwtTokenProviderOptions) {
    this.#options = { oid: TEST_OID, refreshRatio: 0.5, ...options };
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  get isRefreshing(): boolean {
    return this.#timer !== undefined;
  }

  async subscribe(listener: CredentialsListener): Promise<[BasicAuth, Disposable]> {
    this.subscribeCalls++;
    if (this.failSubscribeWith) throw this.failSubscribeWith;
    this.#listeners.add(listener);
    const current = this.#current ?? (await (this.#starting ??= this.#mint()));
    const dispose = () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#stop();
    };
    return [current, { dispose, [Symbol.dispose]: dispose }];
  }

  onReAuthenticationError(error: Error): void {
    this.reauthErrors.push(error);
  }

  /** Mints a new token now and hands it to every subscriber. */
  async rotateNow(): Promise<void> {
    await this.#mint();
  }

  /** Reports `error` to every subscriber, like a refresh that gave up. */
  failNow(error: Error): void {
    for (const listener of [...this.#listeners]) listener.onError(error);
  }

  close(): void {
    this.#listeners.clear();
    this.#stop();
  }

  #stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#current = undefined;
    this.#starting = undefined;
  }

  async #mint(): Promise<BasicAuth> {
    const { signer, oid, lifetimeMs } = this.#options;
    const token = await signer.sign(oid, lifetimeMs);
    this.tokensIssued++;
    const credentials = { username: oid, password: token };
    this.#current = credentials;
    this.#schedule(expiresAtMsOf(token) - Date.now());
    for (const listener of [...this.#listeners]) listener.onNext(credentials);
    return credentials;
  }

  // Scheduled from the token's real exp (second precision, rounded down), not the nominal lifetime.
  #schedule(remainingMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#options.refreshRatio <= 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#listeners.size > 0) this.#mint().catch((error) => this.failNow(error));
    }, remainingMs * this.#options.refreshRatio);
    this.#timer.unref();
  }
}

function expiresAtMsOf(token: string): number {
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    exp: number;
  };
  return claims.exp * 1000;
}
