import { createHash, X509Certificate } from 'node:crypto';
import { certificateThumbprints } from '../tls';
import {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_FEDERATED_SUBJECT,
  DEFAULT_REDIRECT_URI,
  DEFAULT_SYSTEM_MI_CLIENT_ID,
  DEFAULT_SYSTEM_MI_OBJECT_ID,
  DEFAULT_TENANT_ID,
  DEFAULT_USER_MI_CLIENT_ID,
  DEFAULT_USER_MI_OBJECT_ID,
  DEFAULT_USER_MI_RESOURCE_ID,
  DEFAULT_USER_OID,
  DEFAULT_USER_UPN,
  FEDERATED_AUDIENCE,
  REDIS_RESOURCE,
} from './defaults';
import { invalidOption } from './emulator-error';
import type {
  AccessTokenVersion,
  AppConfig,
  EntraEmulatorOptions,
  ManagedIdentityConfig,
  ResourceConfig,
  UserConfig,
} from './options';
import { validateLifetimeSec } from './validate';

/** A registered certificate with the thumbprints assertions refer to it by. */
export interface RegisteredCertificate {
  readonly certPem: string;
  readonly thumbprintSha1: string;
  readonly thumbprintSha256: string;
}

/** An app as the emulator uses it: defaults applied, secrets hashed. */
export interface RegisteredApp {
  readonly clientId: string;
  readonly tenantId: string;
  readonly objectId: string;
  readonly secretHashes: readonly Buffer[];
  readonly certificates: readonly RegisteredCertificate[];
  readonly trustedCertificateSubjects: readonly { subjectName: string; issuer: X509Certificate }[];
  readonly federatedCredentials: readonly {
    issuer: string | undefined;
    subject: string;
    audiences: string[];
  }[];
  readonly redirectUris: readonly string[];
  readonly publicClient: boolean;
  readonly signInAudience: 'AzureADMyOrg' | 'AzureADMultipleOrgs';
  readonly tokenLifetimeSec: number | undefined;
  readonly accessTokenVersion: AccessTokenVersion | undefined;
}

export interface RegisteredUser {
  readonly oid: string;
  readonly upn: string;
  readonly name: string;
  readonly tenantId: string;
  readonly tokenLifetimeSec: number | undefined;
}

export interface RegisteredManagedIdentity {
  readonly kind: 'system' | 'user';
  readonly clientId: string;
  readonly objectId: string;
  readonly resourceId: string;
  readonly tenantId: string;
  readonly tokenLifetimeSec: number | undefined;
}

/** A principal of the directory: who a token's `oid` names. */
export interface EntraPrincipal {
  readonly kind: 'service-principal' | 'user' | 'managed-identity';
  /** Object id: the `oid` claim of its tokens, the Redis username. */
  readonly objectId: string;
  readonly tenantId: string;
  /** Client id (apps, managed identities) or UPN (users). */
  readonly name: string;
}

/** SHA-256 of a secret: the directory keeps no plain secret, so nothing can print one. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** A stable GUID derived from a string (service-principal ids of apps that set none). */
export function derivedGuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** Tenants, apps, users, managed identities and resources known to the emulator. */
export class Directory {
  readonly #tenants: string[] = [];
  readonly #apps = new Map<string, RegisteredApp>();
  readonly #users: RegisteredUser[] = [];
  readonly #managedIdentities: RegisteredManagedIdentity[] = [];
  readonly resources: readonly ResourceConfig[];

  constructor(options: EntraEmulatorOptions) {
    const tenants = options.tenants ?? [{ tenantId: DEFAULT_TENANT_ID }];
    if (!Array.isArray(tenants) || tenants.length === 0) {
      invalidOption('options.tenants', 'a non-empty array of { tenantId }', tenants);
    }
    tenants.forEach((tenant, index) => {
      if (!isNonEmptyString(tenant?.tenantId)) {
        invalidOption(`options.tenants[${index}].tenantId`, 'a non-empty string', tenant?.tenantId);
      }
      this.#tenants.push(tenant.tenantId);
    });
    this.resources = (options.resources ?? [REDIS_RESOURCE]).map((resource, index) => {
      if (!isNonEmptyString(resource?.identifierUri) || !isNonEmptyString(resource?.appId)) {
        invalidOption(`options.resources[${index}]`, '{ identifierUri: string, appId: string }', resource);
      }
      return { identifierUri: resource.identifierUri.replace(/\/+$/, ''), appId: resource.appId };
    });
    const apps = options.apps ?? [
      {
        clientId: DEFAULT_CLIENT_ID,
        secrets: [DEFAULT_CLIENT_SECRET],
        redirectUris: [DEFAULT_REDIRECT_URI],
        publicClient: true,
        signInAudience: 'AzureADMultipleOrgs',
        federatedCredentials: [{ subject: DEFAULT_FEDERATED_SUBJECT }],
      },
    ];
    for (const [index, app] of apps.entries()) this.addApp(app, `options.apps[${index}]`);
    const users = options.users ?? [{ oid: DEFAULT_USER_OID, upn: DEFAULT_USER_UPN }];
    for (const [index, user] of users.entries()) this.addUser(user, `options.users[${index}]`);
    const managedIdentities = options.managedIdentities ?? [
      { kind: 'system', clientId: DEFAULT_SYSTEM_MI_CLIENT_ID, objectId: DEFAULT_SYSTEM_MI_OBJECT_ID },
      {
        kind: 'user',
        clientId: DEFAULT_USER_MI_CLIENT_ID,
        objectId: DEFAULT_USER_MI_OBJECT_ID,
        resourceId: DEFAULT_USER_MI_RESOURCE_ID,
      },
    ];
    for (const [index, mi] of managedIdentities.entries()) {
      this.addManagedIdentity(mi, `options.managedIdentities[${index}]`);
    }
  }

  get tenantIds(): readonly string[] {
    return this.#tenants;
  }

  hasTenant(tenantId: string): boolean {
    return this.#tenants.includes(tenantId);
  }

  #tenantOf(tenantId: string | undefined, option: string): string {
    if (tenantId === undefined) return this.#tenants[0]!;
    if (!this.hasTenant(tenantId))
      invalidOption(option, `one of the tenants (${this.#tenants.join(', ')})`, tenantId);
    return tenantId;
  }

  /** Registers (or replaces) an app. */
  addApp(app: AppConfig, option = 'app'): RegisteredApp {
    if (!isNonEmptyString(app?.clientId))
      invalidOption(`${option}.clientId`, 'a non-empty string', app?.clientId);
    const secrets = app.secrets ?? [];
    if (!Array.isArray(secrets) || !secrets.every(isNonEmptyString)) {
      // The value is not shown: it is a secret.
      invalidOption(`${option}.secrets`, 'an array of non-empty strings', '(redacted)');
    }
    const certificates = (app.certificates ?? []).map((certPem, index) => {
      try {
        new X509Certificate(certPem);
      } catch {
        invalidOption(`${option}.certificates[${index}]`, 'a PEM certificate', '(not a certificate)');
      }
      return { certPem, ...certificateThumbprints(certPem) };
    });
    const trustedCertificateSubjects = (app.trustedCertificateSubjects ?? []).map((trusted, index) => {
      if (!isNonEmptyString(trusted?.subjectName)) {
        invalidOption(
          `${option}.trustedCertificateSubjects[${index}].subjectName`,
          'a subject DN such as "CN=my-app"',
          trusted?.subjectName,
        );
      }
      let issuer: X509Certificate;
      try {
        issuer = new X509Certificate(trusted.issuerCertificatePem);
      } catch {
        invalidOption(
          `${option}.trustedCertificateSubjects[${index}].issuerCertificatePem`,
          'a PEM CA certificate',
          '(not a certificate)',
        );
      }
      return { subjectName: trusted.subjectName, issuer };
    });
    const federatedCredentials = (app.federatedCredentials ?? []).map((credential, index) => {
      if (!isNonEmptyString(credential?.subject)) {
        invalidOption(
          `${option}.federatedCredentials[${index}].subject`,
          'a non-empty string',
          credential?.subject,
        );
      }
      return {
        issuer: credential.issuer,
        subject: credential.subject,
        audiences: credential.audiences ?? [FEDERATED_AUDIENCE],
      };
    });
    if (app.tokenLifetimeSec !== undefined)
      validateLifetimeSec(`${option}.tokenLifetimeSec`, app.tokenLifetimeSec);
    if (
      app.accessTokenVersion !== undefined &&
      app.accessTokenVersion !== 1 &&
      app.accessTokenVersion !== 2
    ) {
      invalidOption(`${option}.accessTokenVersion`, '1 or 2', app.accessTokenVersion);
    }
    const signInAudience = app.signInAudience ?? 'AzureADMyOrg';
    if (signInAudience !== 'AzureADMyOrg' && signInAudience !== 'AzureADMultipleOrgs') {
      invalidOption(`${option}.signInAudience`, "'AzureADMyOrg' or 'AzureADMultipleOrgs'", signInAudience);
    }
    const registered: RegisteredApp = {
      clientId: app.clientId,
      tenantId: this.#tenantOf(app.tenantId, `${option}.tenantId`),
      objectId: app.objectId ?? derivedGuid(`sp:${app.clientId}`),
      secretHashes: secrets.map(hashSecret),
      certificates,
      trustedCertificateSubjects,
      federatedCredentials,
      redirectUris: app.redirectUris ?? [],
      publicClient: app.publicClient ?? false,
      signInAudience,
      tokenLifetimeSec: app.tokenLifetimeSec,
      accessTokenVersion: app.accessTokenVersion,
    };
    this.#apps.set(app.clientId, registered);
    return registered;
  }

  /** Registers a user. */
  addUser(user: UserConfig, option = 'user'): RegisteredUser {
    if (!isNonEmptyString(user?.oid)) invalidOption(`${option}.oid`, 'a non-empty string', user?.oid);
    if (!isNonEmptyString(user.upn)) invalidOption(`${option}.upn`, 'a non-empty string', user.upn);
    if (user.tokenLifetimeSec !== undefined)
      validateLifetimeSec(`${option}.tokenLifetimeSec`, user.tokenLifetimeSec);
    const registered: RegisteredUser = {
      oid: user.oid,
      upn: user.upn,
      name: user.name ?? user.upn.split('@')[0]!,
      tenantId: this.#tenantOf(user.tenantId, `${option}.tenantId`),
      tokenLifetimeSec: user.tokenLifetimeSec,
    };
    this.#users.push(registered);
    return registered;
  }

  /** Registers a managed identity. */
  addManagedIdentity(mi: ManagedIdentityConfig, option = 'managedIdentity'): RegisteredManagedIdentity {
    if (mi?.kind !== 'system' && mi?.kind !== 'user')
      invalidOption(`${option}.kind`, "'system' or 'user'", mi?.kind);
    if (!isNonEmptyString(mi.clientId))
      invalidOption(`${option}.clientId`, 'a non-empty string', mi.clientId);
    if (!isNonEmptyString(mi.objectId))
      invalidOption(`${option}.objectId`, 'a non-empty string', mi.objectId);
    if (mi.kind === 'system' && this.#managedIdentities.some((other) => other.kind === 'system')) {
      invalidOption(`${option}.kind`, "'user' (a system-assigned identity is already registered)", mi.kind);
    }
    if (mi.tokenLifetimeSec !== undefined)
      validateLifetimeSec(`${option}.tokenLifetimeSec`, mi.tokenLifetimeSec);
    const registered: RegisteredManagedIdentity = {
      kind: mi.kind,
      clientId: mi.clientId,
      objectId: mi.objectId,
      resourceId:
        mi.resourceId ??
        `/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/authx-emulator/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${mi.clientId}`,
      tenantId: this.#tenantOf(mi.tenantId, `${option}.tenantId`),
      tokenLifetimeSec: mi.tokenLifetimeSec,
    };
    this.#managedIdentities.push(registered);
    return registered;
  }

  /** Every principal that can hold a token: apps' service principals, users, managed identities. */
  principals(): EntraPrincipal[] {
    return [
      ...[...this.#apps.values()].map((app) => ({
        kind: 'service-principal' as const,
        objectId: app.objectId,
        tenantId: app.tenantId,
        name: app.clientId,
      })),
      ...this.#users.map((user) => ({
        kind: 'user' as const,
        objectId: user.oid,
        tenantId: user.tenantId,
        name: user.upn,
      })),
      ...this.#managedIdentities.map((mi) => ({
        kind: 'managed-identity' as const,
        objectId: mi.objectId,
        tenantId: mi.tenantId,
        name: mi.clientId,
      })),
    ];
  }

  firstApp(): RegisteredApp | undefined {
    return this.#apps.values().next().value;
  }

  managedIdentityByClientId(clientId: string): RegisteredManagedIdentity | undefined {
    return this.#managedIdentities.find((mi) => mi.clientId === clientId);
  }

  app(clientId: string): RegisteredApp | undefined {
    return this.#apps.get(clientId);
  }

  users(tenantId: string): RegisteredUser[] {
    return this.#users.filter((user) => user.tenantId === tenantId);
  }

  user(tenantId: string, oid: string): RegisteredUser | undefined {
    return this.#users.find((user) => user.tenantId === tenantId && user.oid === oid);
  }

  /** Finds a user of any tenant by UPN (case-insensitive) or object id. */
  findUserAnywhere(upnOrOid: string): RegisteredUser | undefined {
    for (const tenantId of this.#tenants) {
      const user = this.findUser(tenantId, upnOrOid);
      if (user) return user;
    }
    return undefined;
  }

  /** Finds a user by UPN (case-insensitive) or object id. */
  findUser(tenantId: string, upnOrOid: string): RegisteredUser | undefined {
    const wanted = upnOrOid.toLowerCase();
    return this.users(tenantId).find((user) => user.oid === upnOrOid || user.upn.toLowerCase() === wanted);
  }

  systemManagedIdentity(): RegisteredManagedIdentity | undefined {
    return this.#managedIdentities.find((mi) => mi.kind === 'system');
  }

  /** Finds a user-assigned identity; resource ids compare case-insensitively, as ARM does. */
  userManagedIdentity(by: {
    clientId?: string;
    objectId?: string;
    resourceId?: string;
  }): RegisteredManagedIdentity | undefined {
    return this.#managedIdentities.find(
      (mi) =>
        mi.kind === 'user' &&
        ((by.clientId !== undefined && mi.clientId === by.clientId) ||
          (by.objectId !== undefined && mi.objectId === by.objectId) ||
          (by.resourceId !== undefined && mi.resourceId.toLowerCase() === by.resourceId.toLowerCase())),
    );
  }

  /**
   * The resource a managed identity `resource` (or `issueAccessToken` resource) names: its
   * identifier URI, with or without a trailing slash, or its app id. `audience` is the value as
   * given: Entra writes the form the request used into `aud` of v1 tokens.
   */
  resourceNamed(value: string): { resource: ResourceConfig; audience: string } | undefined {
    const resource = this.resources.find((candidate) => namesResource(candidate, value));
    return resource ? { resource, audience: value } : undefined;
  }

  /**
   * The resource a scope names: `{identifier URI or app id}/{permission}` (`.default` included),
   * or the bare resource. `audience` is the resource part as written (`https://redis.azure.com//.default`
   * yields `https://redis.azure.com/`, as on Entra); `permission` is undefined for a bare resource.
   */
  resourceForScope(
    scope: string,
  ): { resource: ResourceConfig; audience: string; permission: string | undefined } | undefined {
    const whole = this.resourceNamed(scope);
    if (whole) return { ...whole, permission: undefined };
    const slash = scope.lastIndexOf('/');
    if (slash <= 0) return undefined;
    const named = this.resourceNamed(scope.slice(0, slash));
    return named ? { ...named, permission: scope.slice(slash + 1) } : undefined;
  }
}

/** Only the registered identifier URI (a trailing slash allowed) and the app id name a resource. */
function namesResource(resource: ResourceConfig, value: string): boolean {
  return (
    value === resource.identifierUri || value === `${resource.identifierUri}/` || value === resource.appId
  );
}
