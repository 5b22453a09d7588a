import { randomBytes } from 'node:crypto';
import { AdminConnection, type BackendAddress } from './admin-connection';

/**
 * Creates one redis-server ACL user per principal (named by its `oid`, so `ACL WHOAMI` and
 * `CLIENT LIST` show who is connected) with a random password only the gateway knows.
 */
export class BackendUsers {
  /** Never leaves the gateway: it is how the gateway logs its clients in on their behalf. */
  readonly #password = randomBytes(24).toString('hex');
  private readonly users = new Map<string, Promise<void>>();
  private admin: Promise<AdminConnection> | undefined;

  constructor(private readonly address: BackendAddress) {}

  get internalPassword(): string {
    return this.#password;
  }

  /** Resolves once the backend user for `oid` exists (created at most once per gateway). */
  ensure(oid: string): Promise<void> {
    let created = this.users.get(oid);
    if (!created) {
      created = this.connection()
        .then((admin) =>
          admin.command(['ACL', 'SETUSER', oid, 'reset', 'on', `>${this.#password}`, '~*', '&*', '+@all']),
        )
        .then(() => undefined);
      created.catch(() => {
        // Retry next time, on a fresh admin connection (the old one may be dead).
        this.users.delete(oid);
        this.close();
      });
      this.users.set(oid, created);
    }
    return created;
  }

  close(): void {
    this.admin?.then((admin) => admin.close()).catch(() => undefined);
    this.admin = undefined;
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
