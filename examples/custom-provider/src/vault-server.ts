import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';

/** The Redis user whose passwords the vault leases. */
export const VAULT_REDIS_USER = 'app';

/** Options of {@link startVault}. */
export interface VaultOptions {
  /** Redis to manage, as an admin (the `default` user with `adminPassword`). */
  redisUrl: string;
  adminPassword: string;
  /** How long a leased password works, in milliseconds. */
  leaseMs: number;
}

/** A running vault. */
export interface Vault {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Passwords leased and revoked so far. */
  counts(): { leased: number; revoked: number };
  stop(): Promise<void>;
}

/**
 * A tiny stand-in for a secrets service with dynamic Redis credentials (as HashiCorp Vault's
 * database secrets engine): `POST /v1/redis/creds` adds a new random password to the Redis ACL
 * user `app` and answers `{ username, password, lease_duration_ms }`; when the lease ends the
 * password is removed from the ACL, so it no longer authenticates anyone.
 */
export async function startVault(options: VaultOptions): Promise<Vault> {
  const admin = createClient({ url: options.redisUrl, password: options.adminPassword });
  await admin.connect();
  // The app may read and write its own keys, and nothing else.
  await admin.sendCommand([
    'ACL',
    'SETUSER',
    VAULT_REDIS_USER,
    'reset',
    'on',
    '~example:*',
    '+@read',
    '+@write',
  ]);
  await admin.sendCommand(['ACL', 'SETUSER', VAULT_REDIS_USER, '+@connection', '+acl|whoami']);
  const revocations = new Set<NodeJS.Timeout>();
  let leased = 0;
  let revoked = 0;

  async function lease(response: ServerResponse): Promise<void> {
    const password = randomBytes(24).toString('base64url');
    await admin.sendCommand(['ACL', 'SETUSER', VAULT_REDIS_USER, `>${password}`]);
    leased++;
    const timer = setTimeout(() => {
      revocations.delete(timer);
      admin.sendCommand(['ACL', 'SETUSER', VAULT_REDIS_USER, `<${password}`]).then(
        () => revoked++,
        () => {}, // the vault is stopping
      );
    }, options.leaseMs);
    revocations.add(timer);
    sendJson(response, 200, { username: VAULT_REDIS_USER, password, lease_duration_ms: options.leaseMs });
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    if (request.method !== 'POST' || request.url !== '/v1/redis/creds') {
      sendJson(response, 404, { error: 'not found' });
      return;
    }
    lease(response).catch(() => sendJson(response, 503, { error: 'redis unavailable' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ leased, revoked }),
    async stop() {
      for (const timer of revocations) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await admin.close();
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
