import { createRedisAuth } from '@authx/redis-auth';
import { fromHttp } from '@aws-sdk/credential-providers';
import { createClient } from 'redis';
import { AwsIamErrorCode, createMemoryDbIamProvider, iamTokenExpiresAtMs } from '../../src';
import { type AwsStack, type Client, connectClients, runLoad, startAwsStack, waitFor } from './support';

describe('MemoryDB IAM provider: self-healing when the credentials endpoint fails (emulator)', () => {
  let stack: AwsStack;
  beforeEach(async () => {
    stack = await startAwsStack({
      profile: 'memorydb',
      name: 'sessions',
      region: 'us-gov-west-1',
      credentialsLifetimeMs: 60_000,
    });
  });
  afterEach(() => stack.stop());

  function makeProvider() {
    return createMemoryDbIamProvider({
      clusterName: 'sessions',
      userId: 'svc',
      region: 'us-gov-west-1',
      expiresInSeconds: 2,
      // One HTTP attempt per credentials call, so token-core's policy alone decides the timing.
      credentials: fromHttp({
        awsContainerCredentialsFullUri: stack.endpoint.env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
        awsContainerAuthorizationToken: stack.endpoint.env.AWS_CONTAINER_AUTHORIZATION_TOKEN,
        maxRetries: 0,
        timeout: 500,
      }),
      tokenManagerConfig: {
        retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 300 },
        recovery: { initialDelayMs: 200, maxDelayMs: 800 },
      },
    });
  }

  it('an endpoint down longer than the token: existing connections keep working, new ones wait, all heal when it returns', async () => {
    const provider = makeProvider();
    const codes = new Set<string>();
    let expired = 0;
    provider.events.on('refreshFailed', ({ error }) => codes.add((error as { code: string }).code));
    provider.events.on('tokenExpired', () => expired++);
    const auth = createRedisAuth(provider, { expiresAtMs: iamTokenExpiresAtMs, credentialsTimeoutMs: 300 });
    const clients: Client[] = await connectClients(auth, stack.gateway.url, 3);
    try {
      stack.endpoint.setOutage('reset');
      const outageLoad = runLoad(clients, 4000);
      await waitFor(() => expired > 0, 5000);
      // While there is no valid token, a new connection cannot authenticate.
      const late = createClient({
        url: stack.gateway.url,
        credentialsProvider: auth,
        maintNotifications: 'disabled',
      } as never) as unknown as Client;
      auth.bind(late);
      late.on('error', () => undefined);
      const lateConnect = late.connect();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(late.isReady).toBe(false);
      const { failed } = await outageLoad;
      // MemoryDB closes connections only at 12 h: the authenticated ones never noticed.
      expect(failed).toBe(0);
      stack.endpoint.setOutage(false);
      await lateConnect;
      await waitFor(() => late.isReady, 5000);
      expect(await late.ping()).toBe('PONG');
      const after = await runLoad([...clients, late], 1500);
      expect(after.failed).toBe(0);
      expect([...codes]).toEqual([AwsIamErrorCode.CREDENTIALS_UNAVAILABLE]);
      expect(stack.gateway.stats().evicted).toBe(0);
      await late.close();
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      auth.dispose();
      provider.dispose();
    }
  });

  it('a permanent refusal (403) is not retried in a storm: one request per recovery step, then recovery', async () => {
    const provider = makeProvider();
    const failures: Array<{ code: string; isRetryable: boolean }> = [];
    provider.events.on('refreshFailed', ({ error }) => failures.push(error as never));
    const auth = createRedisAuth(provider, { expiresAtMs: iamTokenExpiresAtMs });
    const clients = await connectClients(auth, stack.gateway.url, 20);
    try {
      stack.endpoint.setOutage(403);
      const before = stack.endpoint.requests;
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const during = stack.endpoint.requests - before;
      // Refresh at ~1 s, then recovery steps at +0.2, +0.4, +0.8, +0.8 … s: about 5 in 4 s, whatever the 20 connections do.
      expect(during).toBeGreaterThanOrEqual(2);
      expect(during).toBeLessThanOrEqual(7);
      expect(
        failures.every((f) => f.code === AwsIamErrorCode.CREDENTIALS_REJECTED && f.isRetryable === false),
      ).toBe(true);
      stack.endpoint.setOutage(false);
      const acquiredAt = stack.endpoint.requests;
      await waitFor(
        () => provider.getCurrentToken() !== undefined && stack.endpoint.requests > acquiredAt,
        3000,
      );
      const load = await runLoad(clients, 1000);
      expect(load.failed).toBe(0);
      console.log(`memorydb: 403 outage of 4 s with 20 connections → ${during} credentials requests`);
    } finally {
      await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
      auth.dispose();
      provider.dispose();
    }
  });
});
