import {
  AwsCredentialStore,
  type RedisGateway,
  startGoogleMetadataServer,
  startServiceGateway,
  type GoogleMetadataServer,
} from '../../src';
import { RawClient } from '../gateway/support/raw-client';
import { presignIamToken } from './presign';

describe('startServiceGateway', () => {
  describe("profile 'elasticache'", () => {
    const store = new AwsCredentialStore();
    const key = store.addLongTermKey();
    let gateway: RedisGateway;
    const token = (user = 'app-user') =>
      presignIamToken({
        key,
        host: 'orders',
        user,
        region: 'us-east-1',
        service: 'elasticache',
        atMs: Date.now(),
      });

    beforeAll(async () => {
      gateway = await startServiceGateway({
        profile: 'elasticache',
        cacheName: 'orders',
        region: 'us-east-1',
        credentials: store,
        maxConnectionAgeMs: 600,
      });
    });
    afterAll(() => gateway.stop());

    it('accepts AUTH and HELLO AUTH with a valid token and refuses a token for another user', async () => {
      const client = await RawClient.open(gateway.port);
      client
        .command('AUTH', 'app-user', token())
        .command('SET', 'k', 'v')
        .command('AUTH', 'app-user', token('bob'));
      client.command('HELLO', '3', 'AUTH', 'app-user', token());
      const replies = await client.read(4);
      expect(replies.slice(0, 2)).toEqual(['+OK\r\n', '+OK\r\n']);
      expect(replies[2]).toMatch(/^-WRONGPASS/);
      expect(replies[3].startsWith('%')).toBe(true);
      expect(gateway.authLog().map((e) => e.reason ?? 'ok')).toEqual(
        expect.arrayContaining(['ok', 'username-mismatch']),
      );
      client.destroy();
    });

    it('closes an authenticated connection at its max age (reason max-age) unless it re-authenticates', async () => {
      const stale = await RawClient.open(gateway.port);
      const fresh = await RawClient.open(gateway.port);
      const evicted: string[] = [];
      const onEvicted = (e: { reason: string }) => evicted.push(e.reason);
      gateway.on('evicted', onEvicted);
      stale.command('AUTH', 'app-user', token());
      fresh.command('AUTH', 'app-user', token());
      await Promise.all([stale.read(1), fresh.read(1)]);
      const startedAt = Date.now();
      // Re-authenticate `fresh` every 300 ms (half the max age) for 3 max-age periods.
      let n = 1;
      while (Date.now() - startedAt < 1800) {
        await new Promise((r) => setTimeout(r, 300));
        fresh.command('AUTH', 'app-user', token());
        n++;
        await fresh.read(n);
      }
      expect(stale.closedAtMs).toBeDefined();
      expect(stale.closedAtMs! - startedAt).toBeGreaterThanOrEqual(500);
      expect(fresh.closedAtMs).toBeUndefined();
      expect(fresh.replies.every((r) => r === '+OK\r\n')).toBe(true);
      expect(evicted).toEqual(['max-age']);
      gateway.off('evicted', onEvicted);
      fresh.destroy();
    });

    it('refuses AUTH inside MULTI and aborts the transaction', async () => {
      const client = await RawClient.open(gateway.port);
      client.command('AUTH', 'app-user', token()).command('MULTI').command('SET', 'k', 'v');
      client.command('AUTH', 'app-user', token()).command('EXEC').command('PING');
      const replies = await client.read(6);
      expect(replies).toEqual([
        '+OK\r\n',
        '+OK\r\n',
        '+QUEUED\r\n',
        '-ERR AUTH and HELLO AUTH are not allowed inside MULTI\r\n',
        expect.stringMatching(/^-EXECABORT/),
        '+PONG\r\n',
      ]);
      expect(gateway.stats().authFailedByReason['inside-transaction']).toBe(1);
      client.destroy();
    });
  });

  describe("profile 'memorystore'", () => {
    let metadata: GoogleMetadataServer;
    let gateway: RedisGateway;
    beforeAll(async () => {
      metadata = await startGoogleMetadataServer({ tokenLifetimeMs: 2000, renewBeforeExpiryMs: 1000 });
      gateway = await startServiceGateway({ profile: 'memorystore', tokens: metadata });
    });
    afterAll(async () => {
      await gateway.stop();
      await metadata.stop();
    });

    const fetchToken = async () => {
      const response = await fetch(
        `http://${metadata.hostPort}/computeMetadata/v1/instance/service-accounts/default/token`,
        { headers: { 'Metadata-Flavor': 'Google' } },
      );
      expect(response.headers.get('metadata-flavor')).toBe('Google');
      return (await response.json()) as { access_token: string; expires_in: number };
    };

    it('accepts AUTH <token> while the token is valid, keeps the connection after expiry, refuses the expired token on a new one', async () => {
      const { access_token: token, expires_in } = await fetchToken();
      expect(expires_in).toBeLessThanOrEqual(2);
      const first = await RawClient.open(gateway.port);
      first.command('AUTH', token).command('AUTH', 'someone', token);
      expect(await first.read(2)).toEqual(['+OK\r\n', expect.stringMatching(/^-WRONGPASS/)]);
      await new Promise((r) => setTimeout(r, 2300));
      first.command('PING');
      expect((await first.read(3))[2]).toBe('+PONG\r\n');
      const second = await RawClient.open(gateway.port);
      second.command('AUTH', token).command('AUTH', 'ya29.forged');
      expect(await second.read(2)).toEqual([
        expect.stringMatching(/^-WRONGPASS/),
        expect.stringMatching(/^-WRONGPASS/),
      ]);
      expect(gateway.stats().authFailedByReason).toMatchObject({
        expired: 1,
        'unknown-token': 1,
        'username-mismatch': 1,
      });
      expect(gateway.stats().evicted).toBe(0);
      first.destroy();
      second.destroy();
    });

    it('hands out the token it holds until it nears expiry, then a new one; refuses requests without Metadata-Flavor', async () => {
      metadata.rotate();
      const a = await fetchToken();
      const b = await fetchToken();
      expect(b.access_token).toBe(a.access_token);
      await new Promise((r) => setTimeout(r, 1100));
      const c = await fetchToken();
      expect(c.access_token).not.toBe(a.access_token);
      const refused = await fetch(
        `http://${metadata.hostPort}/computeMetadata/v1/instance/service-accounts/default/token`,
      );
      expect(refused.status).toBe(403);
    });
  });

  it('names the bad option', async () => {
    const store = new AwsCredentialStore();
    await expect(
      startServiceGateway({
        profile: 'elasticache',
        cacheName: 'Orders',
        region: 'us-east-1',
        credentials: store,
      }),
    ).rejects.toMatchObject({ code: 'INVALID_OPTION', option: 'cacheName' });
    await expect(
      startServiceGateway({
        profile: 'memorydb',
        clusterName: 'orders',
        region: 'useast1',
        credentials: store,
      }),
    ).rejects.toMatchObject({ option: 'region' });
  });
});
