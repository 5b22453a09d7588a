import { createIoredisAuth } from '@authx/ioredis';
import { Redis } from 'ioredis';
import { createElastiCacheIamProvider, iamTokenExpiresAtMs } from '../../src';
import { type AwsStack, setEnv, startAwsStack } from './support';

const CONNECTIONS = 100;

/** The access key id a presigned token names in `X-Amz-Credential` (public, never the secret). */
function signingKeyId(password: string): string {
  const match = /[?&]X-Amz-Credential=([A-Z0-9]+)%2F/.exec(password);
  if (!match) throw new Error('not a presigned IAM token');
  return match[1];
}

// The role credentials that sign the tokens rotate under the client: the container credentials
// endpoint hands out 3-second sets and a new one every 1.5 s, and the gateway refuses a token
// whose signing credentials have expired — at the AUTH of a refresh and at every reconnect.
describe('ElastiCache IAM through @authx/ioredis while the AWS credentials rotate (emulator, real ioredis)', () => {
  let stack: AwsStack;
  let restoreEnv: () => void;
  beforeAll(async () => {
    stack = await startAwsStack({
      profile: 'elasticache',
      name: 'orders',
      region: 'ap-southeast-2',
      credentialsLifetimeMs: 3000,
      rotateAfterMs: 1500,
    });
    restoreEnv = setEnv({
      ...stack.endpoint.env,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: undefined,
    });
  });
  afterAll(async () => {
    restoreEnv();
    await stack.stop();
  });

  it(`${CONNECTIONS} RESP2/RESP3 connections under load across ≥ 3 credential rotations and a server-side kill: 0 failed commands, every token signed with credentials valid when it was used`, async () => {
    const provider = createElastiCacheIamProvider({
      cacheName: 'orders',
      userId: 'app-user',
      region: 'ap-southeast-2',
      expiresInSeconds: 3,
    });
    // Each token: which key signed it, and whether that key outlives the token.
    const signed: Array<{ keyId: string; keyOutlivesToken: boolean; current: boolean }> = [];
    provider.events.on('tokenAcquired', ({ expiresAtMs }) => {
      const keyId = signingKeyId(provider.getCurrentCredentials()!.password!);
      const key = stack.store.lookup(keyId);
      signed.push({
        keyId,
        keyOutlivesToken: key?.expiresAtMs !== undefined && key.expiresAtMs >= expiresAtMs,
        current: stack.endpoint.current()?.accessKeyId === keyId,
      });
    });
    const auth = createIoredisAuth(provider, { expiresAtMs: iamTokenExpiresAtMs });
    const reauthFailed: string[] = [];
    auth.events.on('reauthFailed', ({ error }) => reauthFailed.push(error.code));
    const { port } = new URL(stack.gateway.url);
    const clients = Array.from({ length: CONNECTIONS }, (_, i) => {
      const redis = auth.bind(
        new Redis({
          host: '127.0.0.1',
          port: Number(port),
          protocol: i % 2 === 0 ? 2 : 3,
          lazyConnect: true,
        }),
      );
      redis.on('error', () => undefined);
      return redis;
    });
    const startedAt = Date.now();
    let ok = 0;
    let failed = 0;
    const errors: string[] = [];
    try {
      await Promise.all(clients.map((redis) => redis.connect()));
      const issuedBefore = stack.endpoint.issued;
      const deadline = Date.now() + 7000;
      let killed = 0;
      await Promise.all(
        clients.map(async (redis, i) => {
          for (let n = 0; Date.now() < deadline; n++) {
            // Halfway, the server drops every connection: the reconnects need a token signed with
            // the credentials valid then, not with those of the token the connection started with.
            if (i === 0 && killed === 0 && Date.now() > deadline - 3500) killed = stack.gateway.kill();
            try {
              await redis.set(`rot:${i}`, String(n));
              if ((await redis.get(`rot:${i}`)) !== String(n)) throw new Error('wrong value read back');
              ok += 2;
            } catch (error) {
              failed++;
              if (errors.length < 5) errors.push(String(error));
            }
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }),
      );
      const stats = stack.gateway.stats();
      const keys = new Set(signed.map((s) => s.keyId));
      expect(errors).toEqual([]);
      expect(failed).toBe(0);
      expect(ok).toBeGreaterThan(CONNECTIONS * 50);
      expect(killed).toBe(CONNECTIONS);
      // The credentials rotated at least 3 times during the run, and the tokens followed them
      // (the SDK fetches the next set in the background: the last one fetched may sign nothing).
      expect(stack.endpoint.issued - issuedBefore).toBeGreaterThanOrEqual(3);
      expect(keys.size).toBeGreaterThanOrEqual(3);
      expect(signed.filter((s) => !s.keyOutlivesToken)).toEqual([]);
      // The gateway refuses a token whose signing credentials expired: none was sent.
      expect(stats.authFailed).toBe(0);
      expect(stats.authFailedByReason).toEqual({});
      expect(reauthFailed).toEqual([]);
      expect(stats.evictedByReason).toEqual({ killed: CONNECTIONS });
      console.log(
        `elasticache × ioredis, rotating credentials: ${CONNECTIONS} connections, ${ok} commands ok / ${failed} failed, ` +
          `${signed.length} tokens signed with ${keys.size} credential sets (${signed.filter((s) => s.current).length} with the set the endpoint was handing out at that moment), ` +
          `${stack.endpoint.issued} sets issued, ${stats.authOk} AUTHs ok / ${stats.authFailed} refused, ` +
          `${stats.connectionsAccepted} connections accepted (${killed} killed), run ${Date.now() - startedAt} ms`,
      );
    } finally {
      for (const redis of clients) redis.disconnect();
      auth.dispose();
      provider.dispose();
    }
  });
});
