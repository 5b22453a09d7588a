import type { AuthOkEvent } from '@authx/emulator';
import { decodeJwt } from 'jose';
import { type IdentityProvider, StreamingCredentialsProvider, type TokenResponse } from '@authx/token-core';
import { createClient, createClientPool } from 'redis';
import { createRedisAuth } from '../src';
import { startTestGateway, type TestGateway } from './support/gateway';
import { type JwtSigner, TEST_OID } from './support/jwt-token-provider';
import { sleep } from './support/wait-for';

const LIFETIME_MS = 3000;
/** Azure's managed identity endpoints renew 5 minutes before expiry: a quarter of a 20-minute token. */
const RENEWAL_WINDOW_MS = LIFETIME_MS / 4;
/** Azure's "at least 3 minutes before expiry", scaled the same way: 15 % of the lifetime. */
const MIN_MARGIN_MS = 0.15 * LIFETIME_MS;

/**
 * An identity provider with a cache in front of it, as Azure's IMDS and App Service have: every
 * request gets the cached token until the renewal window before its expiry, then a new one.
 */
class CachingIdentityProvider implements IdentityProvider<string> {
  requests = 0;
  issued = 0;
  #cached: { token: string; expiresAtMs: number } | undefined;

  constructor(readonly signer: JwtSigner) {}

  async requestToken(): Promise<TokenResponse<string>> {
    this.requests++;
    const nowMs = Date.now();
    if (!this.#cached || nowMs >= this.#cached.expiresAtMs - RENEWAL_WINDOW_MS) {
      const token = await this.signer.sign(TEST_OID, LIFETIME_MS);
      this.#cached = { token, expiresAtMs: (decodeJwt(token).exp as number) * 1000 };
      this.issued++;
    }
    return { token: this.#cached.token, ttlMs: this.#cached.expiresAtMs - Date.now() };
  }
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.stop();
});

describe('RedisAuth › an identity provider that returns the same token until close to expiry', () => {
  it('gives every connection each new token once, with ≥ 15 % of the lifetime left, and never the same token twice', async () => {
    const idp = new CachingIdentityProvider(gw.signer);
    const provider = new StreamingCredentialsProvider({
      identityProvider: idp,
      credentialsMapper: (token) => ({ username: TEST_OID, password: token.value }),
    });
    const auth = createRedisAuth(provider);
    const auths = new Map<number, Array<{ atMs: number; tokenId: unknown; expiresAtMs: number }>>();
    const onAuth = (event: AuthOkEvent) => {
      const list = auths.get(event.connectionId) ?? [];
      list.push({ atMs: Date.now(), tokenId: event.tokenId, expiresAtMs: event.tokenExpiresAtMs });
      auths.set(event.connectionId, list);
    };
    gw.gateway.on('authOk', onAuth);
    const before = gw.gateway.stats();
    const client = auth.bind(createClient({ url: gw.url, RESP: 3 }));
    client.on('error', () => {});
    await client.connect();
    const duplicate = auth.bind(client.duplicate());
    duplicate.on('error', () => {});
    await duplicate.connect();
    const resp2 = auth.bind(createClient({ url: gw.url, RESP: 2 }));
    resp2.on('error', () => {});
    await resp2.connect();
    const pool = auth.bind(
      createClientPool({ url: gw.url, credentialsProvider: auth }, { minimum: 3, maximum: 3 }),
    );
    pool.on('error', () => {});
    await pool.connect();
    let failed = 0;
    let ok = 0;
    let lastIssueAtMs = Date.now();
    try {
      const deadline = Date.now() + 20_000;
      // Three renewals, and time for the last one to reach every connection.
      while (idp.issued < 4 || Date.now() < lastIssueAtMs + 300) {
        if (Date.now() > deadline) throw new Error('timed out waiting for three renewals');
        if (idp.issued < 4) lastIssueAtMs = Date.now();
        for (const target of [client, duplicate, resp2]) {
          await target.set('cached:key', String(ok)).then(
            () => ok++,
            () => failed++,
          );
        }
        await Promise.all([0, 1, 2].map((i) => pool.set(`cached:${i}`, String(ok)))).then(
          () => ok++,
          () => failed++,
        );
        await sleep(20);
      }
    } finally {
      gw.gateway.off('authOk', onAuth);
      await Promise.all([client.close(), duplicate.close(), resp2.close(), pool.close()]);
      auth.dispose();
      provider.dispose();
    }
    const after = gw.gateway.stats();
    expect({ failed, evicted: after.evicted - before.evicted }).toEqual({ failed: 0, evicted: 0 });
    expect(ok).toBeGreaterThan(20);
    // The cache answered many requests with the token already held; none reached a connection.
    expect(idp.requests).toBeGreaterThan(idp.issued);
    const margins: number[] = [];
    const repeated: number[] = [];
    for (const list of auths.values()) {
      for (let i = 1; i < list.length; i++) {
        if (list[i].tokenId === list[i - 1].tokenId) repeated.push(i);
        else margins.push(list[i - 1].expiresAtMs - list[i].atMs);
      }
    }
    expect(auths.size).toBe(6); // RESP3 client, its duplicate, a RESP2 client, three pooled connections
    // The only repeats are the documented one of each pooled connection, when the binding first
    // meets it (node-redis does not say which credentials a pool's handshake used): never a renewal.
    expect(repeated).toEqual([1, 1, 1]);
    // Each connection saw at least the three renewals, each with the margin Azure asks for (scaled).
    expect(margins.length).toBeGreaterThanOrEqual(3 * 6);
    expect(Math.min(...margins)).toBeGreaterThanOrEqual(MIN_MARGIN_MS);
  });
});
