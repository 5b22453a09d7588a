import { createIoredisAuth } from '@authx/ioredis';
import { createRedisAuth } from '@authx/redis-auth';
import { createElastiCacheIamProvider, createMemoryDbIamProvider, iamTokenExpiresAtMs } from '../../src';
import {
  AuthLedger,
  connectIoredisFleet,
  connectNodeRedisFleet,
  type Fleet,
  runPacedLoad,
  waitFor,
} from './fleet';
import { type AwsStack, setEnv, startAwsStack } from './support';

const CONNECTIONS = 1000;
const REFRESHES = 3;

type Binding = 'node-redis' | 'ioredis';
type Profile = 'elasticache' | 'memorydb';

// 1,000 bound connections share one provider: each refresh is ONE request to the container
// credentials endpoint (the default credentials chain, as on ECS / EKS) and one signed token,
// which every connection then receives with an AUTH in place — no connection is opened for it.
describe('1,000 connections on one AWS IAM provider (emulator, real clients)', () => {
  let stack: AwsStack | undefined;
  let restoreEnv: (() => void) | undefined;
  afterEach(async () => {
    restoreEnv?.();
    await stack?.stop();
  });

  async function run(profile: Profile, binding: Binding) {
    const name = profile === 'elasticache' ? 'orders' : 'sessions';
    // Role credentials scaled down like the tokens (4 s, a new set every 2 s): the SDK's credentials
    // cache fetches again when a set is within 5 min of expiry, so here every token needs one
    // request — the most the provider can cost (with hour-long credentials it costs fewer).
    stack = await startAwsStack({
      profile,
      name,
      region: 'eu-west-1',
      credentialsLifetimeMs: 4000,
      rotateAfterMs: 2000,
    });
    restoreEnv = setEnv({
      ...stack.endpoint.env,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: undefined,
    });
    const common = { userId: 'app-user', region: 'eu-west-1', expiresInSeconds: 3 };
    const provider =
      profile === 'elasticache'
        ? createElastiCacheIamProvider({ cacheName: name, ...common })
        : createMemoryDbIamProvider({ clusterName: name, ...common });
    let acquired = 0;
    provider.events.on('tokenAcquired', () => acquired++);
    const options = { expiresAtMs: iamTokenExpiresAtMs };
    const auth =
      binding === 'node-redis'
        ? ({ kind: 'node-redis', binding: createRedisAuth(provider, options) } as const)
        : ({ kind: 'ioredis', binding: createIoredisAuth(provider, options) } as const);
    const ledger = new AuthLedger(stack.gateway);
    const gateway = stack.gateway;
    const endpoint = stack.endpoint;
    let fleet: Fleet | undefined;
    const startedAt = Date.now();
    try {
      fleet =
        auth.kind === 'node-redis'
          ? await connectNodeRedisFleet(auth.binding, gateway.url, CONNECTIONS)
          : await connectIoredisFleet(auth.binding, gateway.url, CONNECTIONS);
      const connectedAt = Date.now();
      // Tokens acquired while the fleet was still connecting reached only the connections opened
      // since; each one acquired after that is a refresh that must reach all of them.
      const tokensAtConnect = acquired;
      // Stop once REFRESHES more tokens reached every connection; take the counts in that same tick.
      let snapshot: { acquired: number; counts: number[] } | undefined;
      const settled = waitFor(
        () => {
          const counts = ledger.counts();
          const done =
            acquired >= tokensAtConnect + REFRESHES &&
            counts.length === acquired &&
            counts.slice(tokensAtConnect).every((connections) => connections === CONNECTIONS);
          if (done) snapshot = { acquired, counts };
          return done;
        },
        15_000,
        () => JSON.stringify({ tokensAtConnect, acquired, counts: ledger.counts() }),
      );
      const load = await runPacedLoad(fleet.clients, settled);
      await settled;
      const figures = snapshot!;
      // No token after this; the SDK's credentials cache may still be fetching in the background.
      provider.dispose();
      const tokens = acquired;
      await waitFor(() => endpoint.requests >= tokens, 3000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stats = gateway.stats();
      const refreshes = figures.acquired - tokensAtConnect;
      expect(load.errors).toEqual([]);
      expect(load.failed).toBe(0);
      expect(load.ok).toBeGreaterThan(CONNECTIONS * 2 * REFRESHES);
      expect(refreshes).toBeGreaterThanOrEqual(REFRESHES);
      // One credentials request per token (the initial one and each refresh), whatever the 1,000
      // connections do. (The SDK's chain returns a set that is still valid at once and fetches the
      // next in the background: a token's request may land just after it.)
      expect(endpoint.requests).toBe(tokens);
      // Every refresh reached every connection, on the connection it was already on; together the
      // tokens of the connecting phase reached each connection once.
      expect(figures.counts.slice(tokensAtConnect)).toEqual(Array(refreshes).fill(CONNECTIONS));
      expect(stats.connectionsAccepted).toBe(CONNECTIONS);
      expect(stats.authFailed).toBe(0);
      expect(stats.evicted).toBe(0);
      console.log(
        `${profile} × ${binding}: ${CONNECTIONS} connections (connected in ${connectedAt - startedAt} ms), ` +
          `${tokens} tokens (${refreshes} refreshes after connecting), ${endpoint.requests} credentials requests, ` +
          `${load.ok} commands ok / ${load.failed} failed, ${stats.authOk} AUTHs ok, ` +
          `${stats.connectionsAccepted} connections accepted, run ${Date.now() - startedAt} ms`,
      );
    } finally {
      await fleet?.close();
      ledger.stop();
      auth.binding.dispose();
      provider.dispose();
    }
  }

  it('ElastiCache through @authx/redis-auth (node-redis): one credentials request per refresh, every connection re-authenticated each time, 0 failed commands', () =>
    run('elasticache', 'node-redis'));

  it('ElastiCache through @authx/ioredis: the same', () => run('elasticache', 'ioredis'));

  it('MemoryDB through @authx/redis-auth (node-redis): the same', () => run('memorydb', 'node-redis'));

  it('MemoryDB through @authx/ioredis: the same', () => run('memorydb', 'ioredis'));
});
