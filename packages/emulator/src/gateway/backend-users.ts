import { randomBytes } from 'node:crypto';
import { AdminConnection, type BackendAddress, RedisReplyError } from './admin-connection';

/** redis-server names the modifier it does not know: `ERR Error in ACL SETUSER modifier '+x|y': Unknown command…`. */
const UNKNOWN_MODIFIER = /modifier '(\+[^']+)': Unknown command/;

/**
 * Creates one redis-server ACL user per principal (named by its `oid`, so `ACL WHOAMI` and
 * `CLIENT LIST` show who is connected) with the rules of its access policy and a random password
 * only the gateway knows. Channels are always allowed, as on Azure Cache for Redis (Redis 6,
 * where users get every channel unless a policy says otherwise).
 */
export class BackendUsers {
  /** Never leaves the gateway: it is how the gateway logs its clients in on their behalf. */
  readonly #password = randomBytes(24).toString('hex');
  private readonly users = new Map<string, { permissions: string; ready: Promise<void> }>();
  private admin: Promise<AdminConnection> | undefined;

  constructor(private readonly address: BackendAddress) {}

  get internalPassword(): string {
    return this.#password;
  }

  /** Principals that have a backend user. */
  get objectIds(): string[] {
    return [...this.users.keys()];
  }

  /** The permissions last applied to a principal's backend user. */
  permissionsOf(oid: string): string | undefined {
    return this.users.get(oid)?.permissions;
  }

  /**
   * Resolves once the backend user for `oid` exists with `permissions` (set again only when they
   * changed; Redis applies new rules to the user's live connections at once).
   */
  ensure(oid: string, permissions: string): Promise<void> {
    const current = this.users.get(oid);
    if (current?.permissions === permissions) return current.ready;
    const previous = current?.ready.catch(() => undefined) ?? Promise.resolve();
    const ready = previous.then(() => this.setUser(oid, permissions));
    const entry = { permissions, ready };
    this.users.set(oid, entry);
    ready.catch(() => {
      // Retry next time, on a fresh admin connection (the old one may be dead).
      if (this.users.get(oid) === entry) this.users.delete(oid);
      this.close();
    });
    return ready;
  }

  /** Deletes the principal's backend user; redis-server closes its connections. */
  async remove(oid: string): Promise<void> {
    const current = this.users.get(oid);
    this.users.delete(oid);
    await current?.ready.catch(() => undefined);
    const admin = await this.connection();
    await admin.command(['ACL', 'DELUSER', oid]);
  }

  close(): void {
    this.admin?.then((admin) => admin.close()).catch(() => undefined);
    this.admin = undefined;
  }

  private async setUser(oid: string, permissions: string): Promise<void> {
    const rules = permissions.split(/\s+/).filter(Boolean);
    const admin = await this.connection();
    // A rule naming a command this redis-server lacks (a newer one) is dropped: it allows nothing here.
    for (;;) {
      try {
        await admin.command([
          'ACL',
          'SETUSER',
          oid,
          'reset',
          'on',
          `>${this.#password}`,
          'allchannels',
          ...rules,
        ]);
        return;
      } catch (error) {
        const unknown =
          error instanceof RedisReplyError ? UNKNOWN_MODIFIER.exec(error.message)?.[1] : undefined;
        if (unknown === undefined || !rules.includes(unknown)) throw error;
        rules.splice(rules.indexOf(unknown), 1);
      }
    }
  }

  private connection(): Promise<AdminConnection> {
    if (!this.admin) {
      const opening = AdminConnection.open(this.address);
      opening.catch(() => {
        if (this.admin === opening) this.admin = undefined;
      });
      this.admin = opening;
    }
    return this.admin;
  }

  toJSON(): object {
    return { users: [...this.users.keys()] };
  }
}
