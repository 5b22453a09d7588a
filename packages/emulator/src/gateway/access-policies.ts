import { GatewayOptionError } from './errors';

/**
 * A data access policy: a name and the Redis ACL rules it grants, as Azure Cache for Redis
 * defines them (`az redis access-policy list`).
 */
export interface AccessPolicy {
  /** `Data Owner`, `Data Contributor`, `Data Reader`, or the name of a custom policy. */
  readonly name: string;
  /**
   * Redis ACL rules, space-separated: commands and categories (`+get`, `-@dangerous`,
   * `+client|id`) and keys (`allkeys`, `~app:*`, `%R~*`), e.g. `+@read +set ~cache:*`.
   */
  readonly permissions: string;
}

/** A principal (by object id) given an access policy: Azure's "access policy assignment". */
export interface AccessPolicyAssignment {
  /** Object id of the user, service principal or managed identity: the token's `oid`, the Redis username. */
  readonly objectId: string;
  /** Name of a built-in or custom {@link AccessPolicy}. */
  readonly accessPolicyName: string;
}

/** Azure's built-in policy with every command on every key. */
export const DATA_OWNER = 'Data Owner';
/** Azure's built-in policy without the `@dangerous` commands. */
export const DATA_CONTRIBUTOR = 'Data Contributor';
/** Azure's built-in read-only policy. */
export const DATA_READER = 'Data Reader';

/**
 * The three built-in policies with the permissions Azure Cache for Redis reports for them
 * (`az redis access-policy list`, API 2025-08-01-preview). Rules naming a command the backend
 * redis-server does not know (e.g. `client|setinfo` before Redis 7.2) are left out when applied.
 */
export const BUILT_IN_ACCESS_POLICIES: readonly AccessPolicy[] = Object.freeze([
  { name: DATA_OWNER, permissions: '+@all allkeys' },
  {
    name: DATA_CONTRIBUTOR,
    permissions: '+@all -@dangerous +cluster|info +cluster|nodes +cluster|slots allkeys',
  },
  {
    name: DATA_READER,
    permissions:
      '+@read +@connection -client +client|caching +client|getname +client|getredir +client|id +client|list +client|reply +client|setinfo +client|setname +client|tracking +cluster|info +cluster|nodes +cluster|slots allkeys',
  },
]);

const BUILT_IN_NAMES = new Set(BUILT_IN_ACCESS_POLICIES.map((policy) => policy.name));

/**
 * ACL rules a policy may contain: command and category rules, key and channel patterns. User
 * attributes (passwords, `on`/`off`, `reset`, selectors) are the gateway's business, never a policy's.
 */
const PERMISSION_RULE =
  /^(?:[+-]@?[a-z0-9_-]+(?:\|[a-z0-9_-]+)?|allkeys|resetkeys|allchannels|resetchannels|allcommands|nocommands|%R?W?~\S+|~\S+|&\S+)$/i;

/** The rules of a permissions string, or a {@link GatewayOptionError} naming `option`. */
export function parsePermissions(option: string, permissions: unknown): string[] {
  if (typeof permissions !== 'string' || permissions.trim() === '') {
    throw new GatewayOptionError(option, 'a non-empty string of Redis ACL rules, e.g. "+@read ~cache:*"');
  }
  const rules = permissions.trim().split(/\s+/);
  const bad = rules.find((rule) => !PERMISSION_RULE.test(rule));
  if (bad !== undefined) {
    throw new GatewayOptionError(
      option,
      `Redis ACL command, category, key or channel rules only (+cmd, -@category, +cmd|sub, allkeys, ~pattern, %R~pattern, &channel); "${bad}" is not one`,
    );
  }
  return rules;
}

/** What the gateway checks against: the policies, who has which, and the fallback. */
export interface AccessControlOptions {
  readonly accessPolicies?: readonly AccessPolicy[];
  readonly accessPolicyAssignments?: readonly AccessPolicyAssignment[];
  readonly defaultAccessPolicy?: string;
}

type ChangeListener = () => Promise<void>;

/**
 * Access policies and their assignments for one cache (shared by every node of a cluster
 * gateway). A principal without an assignment has no access — unless `defaultAccessPolicy`
 * names a policy for everyone, which Azure has no equivalent of.
 */
export class AccessControl {
  readonly #policies = new Map<string, AccessPolicy>();
  readonly #assignments = new Map<string, string>();
  readonly #listeners = new Set<ChangeListener>();
  #defaultPolicy: string | undefined;

  constructor(options: AccessControlOptions = {}) {
    for (const policy of BUILT_IN_ACCESS_POLICIES) this.#policies.set(policy.name, policy);
    const custom = options.accessPolicies ?? [];
    if (!Array.isArray(custom))
      throw new GatewayOptionError('accessPolicies', 'an array of { name, permissions }');
    for (const [index, policy] of custom.entries()) this.#putPolicy(policy, `accessPolicies[${index}]`);
    const assignments = options.accessPolicyAssignments ?? [];
    if (!Array.isArray(assignments)) {
      throw new GatewayOptionError('accessPolicyAssignments', 'an array of { objectId, accessPolicyName }');
    }
    for (const [index, assignment] of assignments.entries()) {
      this.#putAssignment(assignment, `accessPolicyAssignments[${index}]`);
    }
    if (options.defaultAccessPolicy !== undefined) {
      this.#requirePolicy('defaultAccessPolicy', options.defaultAccessPolicy);
      this.#defaultPolicy = options.defaultAccessPolicy;
    }
  }

  /** The policy in effect for a principal, or undefined (no access: WRONGPASS). */
  policyFor(objectId: string): AccessPolicy | undefined {
    const name = this.#assignments.get(objectId) ?? this.#defaultPolicy;
    return name === undefined ? undefined : this.#policies.get(name);
  }

  policies(): AccessPolicy[] {
    return [...this.#policies.values()].map((policy) => ({ ...policy }));
  }

  assignments(): AccessPolicyAssignment[] {
    return [...this.#assignments].map(([objectId, accessPolicyName]) => ({ objectId, accessPolicyName }));
  }

  /** Creates or replaces a custom policy; principals holding it get the new rules at once. */
  async setPolicy(policy: AccessPolicy): Promise<void> {
    this.#putPolicy(policy, 'policy');
    await this.#changed();
  }

  /** Deletes a custom policy that nobody holds; returns false when there was none. */
  async removePolicy(name: string): Promise<boolean> {
    if (BUILT_IN_NAMES.has(name))
      throw new GatewayOptionError('name', 'a custom policy (built-in policies stay)');
    if (!this.#policies.has(name)) return false;
    const holders = [...this.#assignments].filter(([, policy]) => policy === name).map(([oid]) => oid);
    if (holders.length > 0 || this.#defaultPolicy === name) {
      throw new GatewayOptionError(
        'name',
        `a policy nobody holds; "${name}" is assigned to ${holders.length > 0 ? holders.join(', ') : 'every principal (defaultAccessPolicy)'}`,
      );
    }
    this.#policies.delete(name);
    await this.#changed();
    return true;
  }

  /** Gives a principal a policy (replacing the one it had); live connections get it at once. */
  async assign(assignment: AccessPolicyAssignment): Promise<void> {
    this.#putAssignment(assignment, 'assignment');
    await this.#changed();
  }

  /** Takes a principal's assignment away; its live connections are closed. Returns false when it had none. */
  async unassign(objectId: string): Promise<boolean> {
    if (!this.#assignments.delete(objectId)) return false;
    await this.#changed();
    return true;
  }

  /** Called after every change, awaited by the change; returns a function that unsubscribes. */
  onChange(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #changed(): Promise<void> {
    await Promise.all([...this.#listeners].map((listener) => listener()));
  }

  #putPolicy(policy: AccessPolicy, option: string): void {
    if (typeof policy?.name !== 'string' || policy.name.trim() === '') {
      throw new GatewayOptionError(`${option}.name`, 'a non-empty string');
    }
    if (BUILT_IN_NAMES.has(policy.name)) {
      throw new GatewayOptionError(
        `${option}.name`,
        `a name other than the built-in ${[...BUILT_IN_NAMES].join(', ')}`,
      );
    }
    parsePermissions(`${option}.permissions`, policy.permissions);
    this.#policies.set(policy.name, { name: policy.name, permissions: policy.permissions.trim() });
  }

  #putAssignment(assignment: AccessPolicyAssignment, option: string): void {
    if (typeof assignment?.objectId !== 'string' || !/^[A-Za-z0-9._@:-]{1,128}$/.test(assignment.objectId)) {
      throw new GatewayOptionError(`${option}.objectId`, 'an object id (the oid claim, 1–128 characters)');
    }
    this.#requirePolicy(`${option}.accessPolicyName`, assignment.accessPolicyName);
    this.#assignments.set(assignment.objectId, assignment.accessPolicyName);
  }

  #requirePolicy(option: string, name: unknown): void {
    if (typeof name !== 'string' || !this.#policies.has(name)) {
      throw new GatewayOptionError(
        option,
        `the name of an access policy (${[...this.#policies.keys()].join(', ')})`,
      );
    }
  }
}
