import type { RegisteredApp, RegisteredManagedIdentity, RegisteredUser } from './directory';
import type { IssueAccessTokenOptions, IssuedToken } from './entra-emulator-api';
import { REDIS_RESOURCE } from './defaults';
import type { EntraContext } from './entra-context';
import { invalidOption } from './emulator-error';
import { validateLifetimeSec } from './validate';

/** The app named by `clientId`, or the first registered app when none is named. */
export function appOrFirst(context: EntraContext, clientId: string | undefined): RegisteredApp {
  const app = clientId === undefined ? context.directory.firstApp() : context.directory.app(clientId);
  if (!app) invalidOption('clientId', 'the client id of a registered app', clientId);
  return app;
}

/** Mints an access token without an HTTP round trip (same claims as the endpoints). */
export async function issueAccessTokenDirectly(
  context: EntraContext,
  options: IssueAccessTokenOptions,
): Promise<IssuedToken> {
  const { directory, settings } = context;
  const kind = options.kind ?? 'app';
  // Default: Redis when registered (what the gateway accepts), else the first resource.
  const requested =
    options.resource ??
    directory.resources.find((r) => r.identifierUri === REDIS_RESOURCE.identifierUri)?.identifierUri ??
    directory.resources[0]!.identifierUri;
  const named = directory.resourceNamed(requested);
  if (!named)
    invalidOption(
      'resource',
      `the identifier URI or app id of a registered resource (${directory.resources.map((r) => r.identifierUri).join(', ')})`,
      options.resource,
    );
  const { resource, audience } = named;
  if (options.lifetimeSec !== undefined) validateLifetimeSec('lifetimeSec', options.lifetimeSec);
  if (kind === 'managed-identity') {
    const mi: RegisteredManagedIdentity | undefined =
      options.clientId === undefined
        ? directory.systemManagedIdentity()
        : (directory.userManagedIdentity({ clientId: options.clientId }) ??
          directory.managedIdentityByClientId(options.clientId));
    if (!mi) invalidOption('clientId', 'the client id of a registered managed identity', options.clientId);
    const token = await context.issuer.accessToken({
      tenantId: options.tenantId ?? mi.tenantId,
      resource,
      audience,
      version: options.version ?? settings.accessTokenVersion,
      lifetimeSec: options.lifetimeSec ?? mi.tokenLifetimeSec ?? settings.tokenLifetimeSec,
      subject: {
        kind: 'managed-identity',
        clientId: mi.clientId,
        objectId: mi.objectId,
        resourceId: mi.resourceId,
      },
    });
    return { accessToken: token.accessToken, oid: mi.objectId, expiresOnSec: token.expiresOnSec };
  }
  const app = appOrFirst(context, options.clientId);
  const tenantId = options.tenantId ?? app.tenantId;
  const version = options.version ?? app.accessTokenVersion ?? settings.accessTokenVersion;
  if (kind === 'user') {
    const user: RegisteredUser | undefined =
      options.user === undefined ? directory.users(tenantId)[0] : directory.findUser(tenantId, options.user);
    if (!user) invalidOption('user', `the object id or UPN of a user of tenant ${tenantId}`, options.user);
    const token = await context.issuer.accessToken({
      tenantId,
      resource,
      audience,
      version,
      lifetimeSec:
        options.lifetimeSec ?? user.tokenLifetimeSec ?? app.tokenLifetimeSec ?? settings.tokenLifetimeSec,
      subject: { kind: 'user', clientId: app.clientId, user, appidacr: '0', scope: 'user_impersonation' },
    });
    return { accessToken: token.accessToken, oid: user.oid, expiresOnSec: token.expiresOnSec };
  }
  if (kind !== 'app') invalidOption('kind', "'app', 'user' or 'managed-identity'", kind);
  const token = await context.issuer.accessToken({
    tenantId,
    resource,
    audience,
    version,
    lifetimeSec: options.lifetimeSec ?? app.tokenLifetimeSec ?? settings.tokenLifetimeSec,
    subject: { kind: 'app', clientId: app.clientId, objectId: app.objectId, appidacr: '1' },
  });
  return { accessToken: token.accessToken, oid: app.objectId, expiresOnSec: token.expiresOnSec };
}
