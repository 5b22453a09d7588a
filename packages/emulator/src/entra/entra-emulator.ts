import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority } from '../tls';
import { ClientAuthenticator } from './client-authenticator';
import { DEFAULT_FEDERATED_SUBJECT } from './defaults';
import { Directory } from './directory';
import type { EntraContext, EntraSettings } from './entra-context';
import { EntraEmulatorError, EntraEmulatorErrorCode, invalidOption } from './emulator-error';
import type { EntraEmulator } from './entra-emulator-api';
import { FaultInjector } from './fault-injector';
import { FederatedIssuer, trustedIssuerKeys } from './federated-issuer';
import {
  type AuthorizationCodeGrant,
  HandleStore,
  type RefreshTokenGrant,
  ReplayCache,
} from './grant-stores';
import { appOrFirst, issueAccessTokenDirectly } from './issue-access-token';
import { APP_SERVICE_PATH } from './managed-identity-endpoint';
import {
  type ManagedIdentityTokenCacheOptions,
  ManagedIdentityTokenCache,
} from './managed-identity-token-cache';
import { createMsalNetworkClient } from './msal-network-client';
import type { EntraEmulatorOptions } from './options';
import { createRequestListener, FEDERATION_PATH, type RouterDeps } from './entra-router';
import { RequestLog } from './request-log';
import { generateSigningKey, SigningKeyRing } from './signing-key-ring';
import { TokenIssuer } from './token-issuer';
import { validateLifetimeSec, validatePort } from './validate';

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function resolveSettings(options: EntraEmulatorOptions): EntraSettings & { idTokenLifetimeSec: number } {
  const version = options.accessTokenVersion ?? 1;
  if (version !== 1 && version !== 2) invalidOption('options.accessTokenVersion', '1 or 2', version);
  if (
    options.identityHeader !== undefined &&
    (typeof options.identityHeader !== 'string' || options.identityHeader === '')
  ) {
    invalidOption('options.identityHeader', 'a non-empty string', '(redacted)');
  }
  return {
    tokenLifetimeSec: validateLifetimeSec('options.tokenLifetimeSec', options.tokenLifetimeSec ?? 3600),
    accessTokenVersion: version,
    idTokenLifetimeSec: validateLifetimeSec('options.idTokenLifetimeSec', options.idTokenLifetimeSec ?? 3600),
    signedInUser: options.signedInUser,
    identityHeader: options.identityHeader ?? randomUUID(),
  };
}

function resolveManagedIdentityTokenCache(
  option: EntraEmulatorOptions['managedIdentityTokenCache'],
): false | ManagedIdentityTokenCacheOptions {
  if (option === undefined || option === true) return {};
  if (option === false) return false;
  const window = (option as ManagedIdentityTokenCacheOptions | null)?.renewalWindowSec;
  if (
    typeof option !== 'object' ||
    option === null ||
    (window !== undefined && !(typeof window === 'number' && Number.isFinite(window) && window >= 0))
  ) {
    invalidOption(
      'options.managedIdentityTokenCache',
      'true, false or { renewalWindowSec: a number of seconds >= 0 }',
      JSON.stringify(option),
    );
  }
  return { renewalWindowSec: window };
}

/**
 * Starts a local Entra ID: an HTTPS authority (OIDC discovery, JWKS, token and authorize
 * endpoints) with a CA generated for this run, and a plain-HTTP managed identity listener
 * (App Service and IMDS styles). With no options it has one tenant, a confidential + public app
 * with a secret, a user, a system- and a user-assigned managed identity (see `defaults`).
 */
export async function startEntraEmulator(options: EntraEmulatorOptions = {}): Promise<EntraEmulator> {
  if (options === null || typeof options !== 'object') invalidOption('options', 'an object', options);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') invalidOption('options.now', 'a function returning epoch milliseconds', now);
  const host = options.host ?? '127.0.0.1';
  const requestedPort = validatePort('options.port', options.port ?? 0);
  const requestedMiPort = validatePort('options.managedIdentityPort', options.managedIdentityPort ?? 0);
  const settings = resolveSettings(options);
  const refreshTokenLifetimeSec = validateLifetimeSec(
    'options.refreshTokenLifetimeSec',
    options.refreshTokenLifetimeSec ?? 86400,
  );
  const codeLifetimeSec = validateLifetimeSec(
    'options.authorizationCodeLifetimeSec',
    options.authorizationCodeLifetimeSec ?? 600,
  );
  const retentionSec = options.previousKeyRetentionSec ?? 3600;
  if (!(typeof retentionSec === 'number' && retentionSec >= 0)) {
    invalidOption('options.previousKeyRetentionSec', 'a number of seconds ≥ 0', retentionSec);
  }
  if (
    options.rejectReplayedAssertions !== undefined &&
    typeof options.rejectReplayedAssertions !== 'boolean'
  ) {
    invalidOption('options.rejectReplayedAssertions', 'true or false', options.rejectReplayedAssertions);
  }
  if (options.refreshTokenRotation !== undefined && typeof options.refreshTokenRotation !== 'boolean') {
    invalidOption('options.refreshTokenRotation', 'true or false', options.refreshTokenRotation);
  }
  const miTokenCache = resolveManagedIdentityTokenCache(options.managedIdentityTokenCache);
  const directory = new Directory(options);
  if (
    settings.signedInUser !== undefined &&
    !directory.tenantIds.some((tenantId) => directory.findUser(tenantId, settings.signedInUser!))
  ) {
    invalidOption('options.signedInUser', 'the UPN or object id of a registered user', settings.signedInUser);
  }
  for (const [index, trusted] of (options.trustedIssuers ?? []).entries()) {
    if (typeof trusted?.issuer !== 'string' || !Array.isArray(trusted.jwks?.keys)) {
      invalidOption(
        `options.trustedIssuers[${index}]`,
        '{ issuer: string, jwks: { keys: JWK[] } }',
        trusted?.issuer,
      );
    }
  }

  const [ca, keys, federatedKey] = await Promise.all([
    createCertificateAuthority(),
    SigningKeyRing.create(now, retentionSec * 1000),
    generateSigningKey(),
  ]);
  const serverCertificate = await ca.issueServerCertificate({
    dns: ['localhost'],
    ips: ['127.0.0.1', '::1'],
  });

  const timers = new Set<NodeJS.Timeout>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  // URLs (issuer, token endpoint audiences) embed the ports, so the listeners start first and get
  // their dependencies once those exist (a request arriving earlier, only possible on a fixed port,
  // is answered 500).
  let deps: RouterDeps | undefined;
  const authorityServer = createHttpsServer(
    { key: serverCertificate.keyPem, cert: serverCertificate.certPem },
    createRequestListener(() => deps!, 'authority'),
  );
  const miServer = createHttpServer(createRequestListener(() => deps!, 'managed-identity'));
  let port: number;
  let miPort: number;
  try {
    port = await listen(authorityServer, requestedPort, host);
    miPort = await listen(miServer, requestedMiPort, host);
  } catch (error) {
    authorityServer.close();
    miServer.close();
    throw new EntraEmulatorError(
      EntraEmulatorErrorCode.START_FAILED,
      `cannot listen on ${host}: ${(error as Error).message}`,
      { cause: error },
    );
  }

  const urlHost = hostForUrl(host);
  const authorityHost = `https://${urlHost}:${port}`;
  const managedIdentityEndpoint = `http://${urlHost}:${miPort}`;
  const federatedIssuer = await FederatedIssuer.create(
    `${authorityHost}${FEDERATION_PATH}`,
    now,
    DEFAULT_FEDERATED_SUBJECT,
    federatedKey,
  );
  const tokenIssuer = new TokenIssuer(keys, authorityHost, now);
  const replayCache = new ReplayCache(now);
  const origins = [
    authorityHost,
    `https://localhost:${port}`,
    `https://127.0.0.1:${port}`,
    `https://[::1]:${port}`,
  ];
  const authenticator = new ClientAuthenticator({
    tokenEndpointAudiences: (tenantSegment) =>
      origins.flatMap((origin) => [
        `${origin}/${tenantSegment}/oauth2/v2.0/token`,
        `${origin}/${tenantSegment}/oauth2/token`,
      ]),
    defaultFederatedIssuer: federatedIssuer.issuer,
    trustedIssuers: trustedIssuerKeys(federatedIssuer, options.trustedIssuers ?? []),
    replayCache,
    rejectReplayedAssertions: options.rejectReplayedAssertions === true,
    now,
  });
  const context: EntraContext = {
    directory,
    issuer: tokenIssuer,
    authenticator,
    codes: new HandleStore<AuthorizationCodeGrant>(now, codeLifetimeSec * 1000, '', true),
    refreshTokens: new HandleStore<RefreshTokenGrant>(
      now,
      refreshTokenLifetimeSec * 1000,
      '1.',
      options.refreshTokenRotation === true,
    ),
    managedIdentityTokens: new ManagedIdentityTokenCache(now, miTokenCache),
    settings,
    now,
  };
  const faults = new FaultInjector();
  const log = new RequestLog();
  deps = { context, keys, federatedIssuer, faults, log, delay };

  const caDir = mkdtempSync(join(tmpdir(), 'authx-entra-ca-'));
  const caPath = join(caDir, 'ca.pem');
  writeFileSync(caPath, ca.certPem);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(
        [authorityServer, miServer].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      rmSync(caDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const tenantOr = (tenantId?: string) => tenantId ?? directory.tenantIds[0]!;
  const emulator: EntraEmulator = {
    authorityHost,
    host,
    port,
    tenantId: directory.tenantIds[0]!,
    caPem: ca.certPem,
    caPath,
    managedIdentityEndpoint,
    identityHeader: '', // replaced below
    federatedIssuer: federatedIssuer.issuer,
    faults: { inject: (spec) => faults.inject(spec), clear: () => faults.clear() },
    get requests() {
      return log.entries;
    },
    clearRequests: () => log.clear(),
    resources: directory.resources,
    authority: (tenantId) => `${authorityHost}/${tenantOr(tenantId)}`,
    jwksUri: (tenantId) => `${authorityHost}/${tenantOr(tenantId)}/discovery/v2.0/keys`,
    jwks: () => keys.jwks(),
    tokenIssuers: (tenantId) => ({
      v1: tokenIssuer.v1Issuer(tenantOr(tenantId)),
      v2: tokenIssuer.v2Issuer(tenantOr(tenantId)),
    }),
    rotateSigningKey: async (rotateOptions) => {
      const kid = await keys.rotate(rotateOptions);
      // A cached token signed with a dropped key would fail everywhere: Azure never drops a key in use.
      if (rotateOptions?.dropPrevious) context.managedIdentityTokens.clear();
      return kid;
    },
    clearManagedIdentityTokenCache: () => context.managedIdentityTokens.clear(),
    issueFederatedToken: (tokenOptions) => federatedIssuer.issue(tokenOptions),
    issueAccessToken: (tokenOptions = {}) => issueAccessTokenDirectly(context, tokenOptions),
    principals: () => directory.principals(),
    addApp: (app) => {
      const { objectId, tenantId, clientId } = directory.addApp(app);
      return { kind: 'service-principal', objectId, tenantId, name: clientId };
    },
    addUser: (user) => {
      const { oid, tenantId, upn } = directory.addUser(user);
      return { kind: 'user', objectId: oid, tenantId, name: upn };
    },
    addManagedIdentity: (identity) => {
      const { objectId, tenantId, clientId } = directory.addManagedIdentity(identity);
      return { kind: 'managed-identity', objectId, tenantId, name: clientId };
    },
    revokeRefreshTokens: (filter = {}) =>
      context.refreshTokens.revoke(
        (grant) =>
          (filter.userOid === undefined || grant.userOid === filter.userOid) &&
          (filter.clientId === undefined || grant.clientId === filter.clientId),
      ),
    msalConfig: (msalOptions = {}) => {
      const app = appOrFirst(context, msalOptions.clientId);
      return {
        auth: {
          clientId: app.clientId,
          authority: `${authorityHost}/${msalOptions.tenantId ?? app.tenantId}`,
          knownAuthorities: [`${urlHost}:${port}`],
        },
        system: {
          networkClient: createMsalNetworkClient({ caPem: ca.certPem, timeoutMs: msalOptions.timeoutMs }),
        },
      };
    },
    msalNetworkClient: (clientOptions = {}) =>
      createMsalNetworkClient({ caPem: ca.certPem, timeoutMs: clientOptions.timeoutMs }),
    identityOptions: () => ({
      authorityHost,
      tlsOptions: { ca: ca.certPem },
      disableInstanceDiscovery: true,
    }),
    managedIdentityEnv: (source): Record<string, string> => {
      if (source === 'app-service') {
        return {
          IDENTITY_ENDPOINT: `${managedIdentityEndpoint}${APP_SERVICE_PATH}`,
          IDENTITY_HEADER: settings.identityHeader,
        };
      }
      if (source === 'imds') return { AZURE_POD_IDENTITY_AUTHORITY_HOST: managedIdentityEndpoint };
      return invalidOption('source', "'app-service' or 'imds'", source);
    },
    stop,
    [Symbol.asyncDispose]: stop,
  };
  // The App Service secret: a non-enumerable getter, so util.inspect (even showHidden) and JSON never show it.
  Object.defineProperty(emulator, 'identityHeader', {
    get: () => settings.identityHeader,
    enumerable: false,
  });
  return emulator;
}
