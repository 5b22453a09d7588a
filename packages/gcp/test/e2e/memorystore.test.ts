import { inspect } from 'node:util';
import { createRedisAuth } from '@authx/redis-auth';
import { GoogleAuth } from 'google-auth-library';
import { createClient } from 'redis';
import { createMemorystoreIamProvider, GcpIamErrorCode } from '../../src';
import {
  type Client,
  connectClients,
  type GoogleStack,
  runLoad,
  setEnv,
  startGoogleStack,
  waitFor,
} from './support';

const CONNECTIONS = 50;

describe('Memorystore IAM through google-auth-library, @authx/redis-auth and real node-redis (emulator)', () => {
  let stack: GoogleStack;
  let restoreEnv: () => void;

  beforeEach(async () => {
    // Scaled: 3 s tokens; the metadata server renews when < 1.5 s is left.
    stack = await startGoogleStack({ tokenLifetimeMs: 3000, renewBeforeExpiryMs: 1500 });
    restoreEnv = setEnv({ ...stack.metadata.env, GOOGLE_APPLICATION_CREDENTIALS: undefined });
  });
  afterEach(async () => {
    restoreEnv();
    await stack.stop();
  });

  // google-auth-library renews its cached token 5 min before expiry by default; scaled to 1 s here.
  const makeAuth = (eagerRefreshThresholdMillis = 1000) =>
    new GoogleAuth({
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      clientOptions: { eagerRefreshThresholdMillis },
    });

  it(`${CONNECTIONS} connections across ≥ 3 refreshes: 0 failed commands, 0 evictions, each refresh one metadata request, no repeated token sent`, async () => {
    const provider = createMemorystoreIamProvider({ auth: makeAuth() });
    let acquired = 0;
    let unchanged = 0;
    provider.events.on('tokenAcquired', () => acquired++);
    provider.events.on('tokenUnchanged', () => unchanged++);
    const auth = createRedisAuth(provider);
    let clients: Client[] = [];
    try {
      clients = await connectClients(auth, stack.gateway.url, CONNECTIONS);
      const before = { acquired, requests: stack.metadata.tokenRequests };
      const load = await runLoad(clients, 8000);
      const refreshes = acquired - before.acquired;
      const requests = stack.metadata.tokenRequests - before.requests;
      expect(load.errors).toEqual([]);
      expect(load.failed).toBe(0);
      expect(refreshes).toBeGreaterThanOrEqual(3);
      // The library's cache and ours agree: one metadata request per new token, whatever the connections.
      expect(requests).toBe(refreshes);
      expect(unchanged).toBe(0);
      const stats = stack.gateway.stats();
      expect(stats.evicted).toBe(0);
      expect(stats.authFailed).toBe(0);
      expect(stats.authOk).toBeGreaterThanOrEqual(CONNECTIONS * (refreshes + 1));
      console.log(
        `memorystore: ${CONNECTIONS} connections, ${load.ok} ok / ${load.failed} failed, ${refreshes} refreshes, ${requests} metadata token requests, ${unchanged} repeats, ${stats.authOk} AUTHs ok, ${stats.evicted} evictions`,
      );
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      auth.dispose();
      provider.dispose();
    }
  });

  it('a metadata server that renews later than the library asks: repeats are recognised, polled with backoff, never sent again', async () => {
    await stack.stop();
    // Renews only when < 1 s is left, while the library asks at 1.5 s left: its first asks return the same token.
    stack = await startGoogleStack({ tokenLifetimeMs: 3000, renewBeforeExpiryMs: 1000 });
    restoreEnv();
    restoreEnv = setEnv({ ...stack.metadata.env, GOOGLE_APPLICATION_CREDENTIALS: undefined });
    const provider = createMemorystoreIamProvider({ auth: makeAuth(1500) });
    let acquired = 0;
    let unchanged = 0;
    provider.events.on('tokenAcquired', () => acquired++);
    provider.events.on('tokenUnchanged', () => unchanged++);
    const auth = createRedisAuth(provider);
    const clients = await connectClients(auth, stack.gateway.url, 10);
    try {
      const load = await runLoad(clients, 8000);
      expect(load.failed).toBe(0);
      expect(acquired).toBeGreaterThanOrEqual(3);
      // Bounded polling: a handful of repeats per rotation, not a loop.
      expect(unchanged).toBeLessThanOrEqual(acquired * 8);
      expect(stack.metadata.tokenRequests).toBeLessThanOrEqual(acquired + unchanged + 1);
      const stats = stack.gateway.stats();
      // Each connection got each token once: no AUTH with a repeated token.
      expect(stats.authOk).toBeLessThanOrEqual(10 * stack.metadata.issued);
      expect(stats.authFailed).toBe(0);
      console.log(
        `memorystore (late renewal): ${acquired} tokens, ${unchanged} repeats, ${stack.metadata.tokenRequests} metadata requests`,
      );
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      auth.dispose();
      provider.dispose();
    }
  });

  it('metadata server down longer than the token: existing connections keep working, new ones wait, all heal when it returns', async () => {
    const provider = createMemorystoreIamProvider({
      auth: makeAuth(),
      tokenManagerConfig: {
        retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 300 },
        recovery: { initialDelayMs: 200, maxDelayMs: 800 },
      },
    });
    const codes = new Set<string>();
    let expired = 0;
    provider.events.on('refreshFailed', ({ error }) => codes.add((error as { code: string }).code));
    provider.events.on('tokenExpired', () => expired++);
    const auth = createRedisAuth(provider, { credentialsTimeoutMs: 300 });
    const clients = await connectClients(auth, stack.gateway.url, 3);
    try {
      stack.metadata.setOutage('reset');
      const outageLoad = runLoad(clients, 5000);
      await waitFor(() => expired > 0, 8000);
      const late = auth.bind(
        createClient({
          url: stack.gateway.url,
          credentialsProvider: auth,
          maintNotifications: 'disabled',
        } as never),
      ) as unknown as Client;
      late.on('error', () => undefined);
      const lateConnect = late.connect();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(late.isReady).toBe(false);
      const { failed } = await outageLoad;
      // Memorystore checks the token only at AUTH: authenticated connections outlive it.
      expect(failed).toBe(0);
      stack.metadata.setOutage(false);
      await lateConnect;
      await waitFor(() => late.isReady, 8000);
      expect(await late.ping()).toBe('PONG');
      expect((await runLoad([...clients, late], 1000)).failed).toBe(0);
      expect([...codes]).toEqual([GcpIamErrorCode.METADATA_UNAVAILABLE]);
      await late.close();
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      auth.dispose();
      provider.dispose();
    }
  });

  it('a permanent refusal (403) is not retried in a storm, and no access token appears in errors, events or inspect', async () => {
    const provider = createMemorystoreIamProvider({
      auth: makeAuth(),
      tokenManagerConfig: { recovery: { initialDelayMs: 200, maxDelayMs: 800 } },
    });
    const seen: string[] = [];
    const failures: Array<{ code: string; isRetryable: boolean }> = [];
    provider.events.on('refreshFailed', (payload) => {
      failures.push(payload.error as never);
      seen.push(inspect(payload, { depth: 6 }), String((payload.error as Error).message));
    });
    provider.events.on('tokenAcquired', (payload) => seen.push(inspect(payload), JSON.stringify(payload)));
    const auth = createRedisAuth(provider);
    const clients = await connectClients(auth, stack.gateway.url, 20);
    const token = provider.getCurrentCredentials()!.password!;
    try {
      stack.metadata.setOutage(403);
      const before = stack.metadata.requests;
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const during = stack.metadata.requests - before;
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.every((f) => f.code === GcpIamErrorCode.CREDENTIALS_REJECTED && !f.isRetryable)).toBe(
        true,
      );
      // One refresh, then one request per recovery step (0.2, 0.4, 0.8, 0.8 … s) — whatever the 20 connections do.
      expect(during).toBeGreaterThanOrEqual(2);
      expect(during).toBeLessThanOrEqual(8);
      seen.push(
        inspect(provider, { depth: 6 }),
        JSON.stringify(provider),
        inspect(provider.getCurrentToken()),
      );
      expect(token).toMatch(/^ya29\./);
      expect(seen.join('\n')).not.toContain(token);
      expect(seen.join('\n')).not.toContain('ya29.');
      console.log(`memorystore: 403 outage of 4 s with 20 connections → ${during} metadata token requests`);
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      auth.dispose();
      provider.dispose();
    }
  });
});
