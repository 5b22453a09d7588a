import { createIoredisAuth } from '@authx/ioredis';
import { createRedisAuth } from '@authx/redis-auth';
import { GoogleAuth } from 'google-auth-library';
import { createMemorystoreIamProvider } from '../../src';
import {
  AuthLedger,
  connectIoredisFleet,
  connectNodeRedisFleet,
  type Fleet,
  runPacedLoad,
  waitFor,
} from './fleet';
import { type GoogleStack, setEnv, startGoogleStack } from './support';

const CONNECTIONS = 1000;
const REFRESHES = 3;

// 1,000 bound connections share one provider: each refresh is ONE token request to the metadata
// server (google-auth-library's cache and token-core's schedule agree), and every connection
// receives the new token with an AUTH in place — no connection is opened for it.
describe('1,000 connections on one Memorystore IAM provider (emulator, real clients)', () => {
  let stack: GoogleStack | undefined;
  let restoreEnv: (() => void) | undefined;
  afterEach(async () => {
    restoreEnv?.();
    await stack?.stop();
  });

  async function run(binding: 'node-redis' | 'ioredis') {
    // Scaled: 3 s tokens; the metadata server renews when < 1.5 s is left, the library asks at 1 s left.
    stack = await startGoogleStack({ tokenLifetimeMs: 3000, renewBeforeExpiryMs: 1500 });
    restoreEnv = setEnv({ ...stack.metadata.env, GOOGLE_APPLICATION_CREDENTIALS: undefined });
    const provider = createMemorystoreIamProvider({
      auth: new GoogleAuth({
        scopes: ['https://www.googleapis.com/auth/cloud-platform'],
        // Renewed when 1.5 s are left (the metadata server's window): a handshake never takes a token
        // in its last second, which a loaded machine could let expire on its way to the server.
        clientOptions: { eagerRefreshThresholdMillis: 1500 },
      }),
    });
    let acquired = 0;
    let unchanged = 0;
    provider.events.on('tokenAcquired', () => acquired++);
    provider.events.on('tokenUnchanged', () => unchanged++);
    const auth =
      binding === 'node-redis'
        ? ({ kind: 'node-redis', binding: createRedisAuth(provider) } as const)
        : ({ kind: 'ioredis', binding: createIoredisAuth(provider) } as const);
    const { gateway, metadata } = stack;
    const ledger = new AuthLedger(gateway);
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
      let counts: number[] = [];
      const settled = waitFor(
        () => {
          const now = ledger.counts();
          const done =
            acquired >= tokensAtConnect + REFRESHES &&
            now.length === acquired &&
            now.slice(tokensAtConnect).every((connections) => connections === CONNECTIONS);
          if (done) counts = now;
          return done;
        },
        15_000,
        () => JSON.stringify({ tokensAtConnect, acquired, counts: ledger.counts() }),
      );
      const load = await runPacedLoad(fleet.clients, settled);
      await settled;
      provider.dispose();
      const tokens = acquired;
      const refreshes = counts.length - tokensAtConnect;
      const stats = gateway.stats();
      expect(load.errors).toEqual([]);
      expect(load.failed).toBe(0);
      expect(load.ok).toBeGreaterThan(CONNECTIONS * 2 * REFRESHES);
      expect(refreshes).toBeGreaterThanOrEqual(REFRESHES);
      // One metadata token request per token (the initial one and each refresh), none repeated.
      expect(metadata.tokenRequests).toBe(tokens);
      expect(unchanged).toBe(0);
      expect(counts.slice(tokensAtConnect)).toEqual(Array(refreshes).fill(CONNECTIONS));
      // Re-authentication happens in place: no connection was opened for a refresh.
      expect(stats.connectionsAccepted).toBe(CONNECTIONS);
      expect(stats.authFailed).toBe(0);
      expect(stats.evicted).toBe(0);
      console.log(
        `memorystore × ${binding}: ${CONNECTIONS} connections (connected in ${connectedAt - startedAt} ms), ` +
          `${tokens} tokens (${refreshes} refreshes after connecting), ${metadata.tokenRequests} metadata token requests, ` +
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

  it('through @authx/redis-auth (node-redis): one metadata request per refresh, every connection re-authenticated in place each time, 0 failed commands', () =>
    run('node-redis'));

  it('through @authx/ioredis: the same', () => run('ioredis'));
});
