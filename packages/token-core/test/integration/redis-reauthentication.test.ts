import { type RedisServer, startRedisServer } from '@authx/emulator';
import { createClient } from 'redis';
import { type IdentityProvider, StreamingCredentialsProvider, type TokenResponse } from '../../src';

const TOKEN_TTL_MS = 1_500;
/** How long a replaced password keeps working, like a token that is still valid after a newer one was issued. */
const GRACE_MS = 1_000;
const USER = 'app';

/** The test's own superuser connection (RESP2 replies: flat arrays, plain strings). */
function createAdmin(url: string) {
  return createClient({ url, RESP: 2 });
}
type AdminClient = ReturnType<typeof createAdmin>;

/**
 * A fake identity provider whose "tokens" are passwords of the Redis ACL user `app`: each request
 * adds a fresh password on the server and removes the previous one after GRACE_MS.
 */
class AclPasswordIdentityProvider implements IdentityProvider<string> {
  readonly passwords: string[] = [];
  readonly #admin: AdminClient;
  readonly #removals = new Set<NodeJS.Timeout>();
  #current: string | undefined;

  constructor(admin: AdminClient) {
    this.#admin = admin;
  }

  async requestToken(): Promise<TokenResponse<string>> {
    const password = `pw-${this.passwords.length + 1}-${Math.random().toString(36).slice(2)}`;
    this.passwords.push(password);
    await this.#admin.sendCommand(['ACL', 'SETUSER', USER, 'on', `>${password}`, '~*', '&*', '+@all']);
    const previous = this.#current;
    this.#current = password;
    if (previous !== undefined) {
      const removal = setTimeout(() => {
        this.#removals.delete(removal);
        this.#admin.sendCommand(['ACL', 'SETUSER', USER, `<${previous}`]).catch(() => {});
      }, GRACE_MS);
      this.#removals.add(removal);
    }
    return { token: password, ttlMs: TOKEN_TTL_MS };
  }

  get issued(): number {
    return this.passwords.length;
  }

  /** Passwords the server still accepts for `app`. */
  async livePasswordCount(): Promise<number> {
    const reply = (await this.#admin.sendCommand(['ACL', 'GETUSER', USER])) as unknown;
    const fields = Array.isArray(reply) ? reply : Object.entries(reply as Record<string, unknown>).flat();
    const passwords = fields[fields.indexOf('passwords') + 1];
    return Array.isArray(passwords) ? passwords.length : 0;
  }

  stop(): void {
    for (const removal of this.#removals) clearTimeout(removal);
    this.#removals.clear();
  }
}

async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `calls` and `failed_calls` of AUTH from INFO commandstats. */
async function authStats(admin: AdminClient): Promise<{ calls: number; failed: number }> {
  const info = await admin.sendCommand(['INFO', 'commandstats']);
  const line = String(info)
    .split(/\r?\n/)
    .find((l) => l.startsWith('cmdstat_auth:'));
  const read = (key: string) => Number(line?.match(new RegExp(`(?:^|[:,])${key}=(\\d+)`))?.[1] ?? 0);
  return { calls: read('calls'), failed: read('failed_calls') };
}

/** Authentication failures the server logged (ACL LOG entries with reason "auth"). */
async function authFailures(admin: AdminClient): Promise<number> {
  const entries = (await admin.sendCommand(['ACL', 'LOG'])) as unknown[];
  return entries.filter((entry) => JSON.stringify(entry).includes('"auth"')).length;
}

describe('StreamingCredentialsProvider with node-redis and a real redis-server', () => {
  let server: RedisServer;
  let admin: AdminClient;

  beforeAll(async () => {
    server = await startRedisServer();
    admin = createAdmin(server.url);
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.close();
    await server?.stop();
  });

  describe.each([3, 2] as const)('RESP%i', (resp) => {
    let idp: AclPasswordIdentityProvider;
    let provider: StreamingCredentialsProvider<string>;
    /** Destroyed after each test, also when it fails half-way. */
    let openClient: { destroy(): void } | undefined;

    beforeEach(async () => {
      await admin.sendCommand(['ACL', 'DELUSER', USER]);
      await admin.sendCommand(['ACL', 'LOG', 'RESET']);
      await admin.sendCommand(['CONFIG', 'RESETSTAT']);
      idp = new AclPasswordIdentityProvider(admin);
      provider = new StreamingCredentialsProvider({
        identityProvider: idp,
        credentialsMapper: (token) => ({ username: USER, password: token.value }),
      });
    });

    afterEach(async () => {
      openClient?.destroy();
      openClient = undefined;
      provider.dispose();
      idp.stop();
    });

    it('keeps a connection authenticated across at least 3 refreshes, and reconnects with the current token', async () => {
      const acquired: number[] = [];
      provider.events.on('tokenAcquired', ({ receivedAtMs }) => acquired.push(receivedAtMs));
      const reauthErrors: Error[] = [];
      provider.events.on('reAuthenticationFailed', ({ error }) => reauthErrors.push(error));
      const client = createClient({ url: server.url, RESP: resp, credentialsProvider: provider });
      openClient = client;
      client.on('error', () => {});
      await client.connect();
      expect(await client.sendCommand(['ACL', 'WHOAMI'])).toBe(USER);
      const handshakeAuths = resp === 2 ? 1 : 0;

      // At least 3 refreshes, each followed by an AUTH on the live connection, none of them rejected.
      await waitFor('3 refreshes', () => acquired.length >= 4);
      await waitFor(
        're-authentication after each refresh',
        async () => (await authStats(admin)).calls >= handshakeAuths + 3,
      );
      expect((await authStats(admin)).failed).toBe(0);
      expect(await client.set('key', 'value')).toBe('OK');

      // Only passwords issued in the last GRACE_MS still work; the first one is long gone.
      expect(await idp.livePasswordCount()).toBeLessThanOrEqual(3);
      const issuedBeforeKill = idp.issued;

      // Killing the connection makes node-redis reconnect with whatever the provider holds now.
      await admin.sendCommand(['CLIENT', 'KILL', 'USER', USER]);
      await waitFor('reconnect', async () => {
        try {
          return (await client.ping()) === 'PONG';
        } catch {
          return false;
        }
      });
      expect(await client.sendCommand(['ACL', 'WHOAMI'])).toBe(USER);
      const list = String(await admin.sendCommand(['CLIENT', 'LIST']));
      expect(list.split('\n').filter((line) => line.includes(` user=${USER} `))).toHaveLength(1);

      // And it keeps being re-authenticated afterwards.
      const authsAfterReconnect = (await authStats(admin)).calls;
      await waitFor('two more refreshes', () => idp.issued >= issuedBeforeKill + 2);
      await waitFor(
        're-authentication after reconnect',
        async () => (await authStats(admin)).calls > authsAfterReconnect,
      );
      expect(await client.get('key')).toBe('value');
      expect((await authStats(admin)).failed).toBe(0);
      expect(await authFailures(admin)).toBe(0);
      expect(reauthErrors).toEqual([]);

      // The server really refuses the first token by now, so no connection could have lived on it.
      const stale = createClient({
        url: server.url,
        RESP: resp,
        username: USER,
        password: idp.passwords[0],
        socket: { reconnectStrategy: false },
      });
      stale.on('error', () => {});
      await expect(stale.connect()).rejects.toThrow(/WRONGPASS/);
      if (stale.isOpen) stale.destroy();
    });
  });
});
