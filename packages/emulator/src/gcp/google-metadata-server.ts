import { randomBytes } from 'node:crypto';
import { CloudHttpServer, type EndpointOutage, sendJson } from '../cloud-http-server';
import { type GatewayClock, systemClock } from '../gateway/clock';

/** Options of {@link startGoogleMetadataServer}. */
export interface GoogleMetadataServerOptions {
  /** Lifetime of an access token (`expires_in`), in ms; default 1 h (Google's default). */
  readonly tokenLifetimeMs?: number;
  /**
   * The server hands out the token it holds until less than this is left, then issues a new one,
   * in ms (the GCE metadata server caches tokens too); default 5 min, capped at half the lifetime.
   */
  readonly renewBeforeExpiryMs?: number;
  /** Email of the default service account; default `redis-client@authx-emulator.iam.gserviceaccount.com`. */
  readonly serviceAccountEmail?: string;
  /** Project id; default `authx-emulator`. */
  readonly projectId?: string;
  readonly host?: string;
  readonly port?: number;
  readonly clock?: GatewayClock;
}

/** An access token the server issued (for the `memorystore` gateway's check). */
export interface IssuedGoogleToken {
  readonly email: string;
  readonly scopes: readonly string[];
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  /** Sequence number of the token: tells tokens apart, reveals nothing. */
  readonly serial: number;
}

/**
 * A GCE / GKE / Cloud Run style metadata server (`GCE_METADATA_HOST`): `Metadata-Flavor: Google`
 * on every response, `…/service-accounts/default/token` answering
 * `{ access_token, expires_in, token_type }`, plus the project id and service account email
 * google-auth-library reads. Issued tokens are remembered so a gateway can verify them.
 */
export interface GoogleMetadataServer {
  /** `host:port`, the value of `GCE_METADATA_HOST`. */
  readonly hostPort: string;
  /** `GCE_METADATA_HOST` and `METADATA_SERVER_DETECTION=ping-only` for this server. */
  readonly env: Readonly<Record<'GCE_METADATA_HOST' | 'METADATA_SERVER_DETECTION', string>>;
  readonly serviceAccountEmail: string;
  /** Token requests received (failed ones included). */
  readonly tokenRequests: number;
  /** Requests of any kind received. */
  readonly requests: number;
  /** Distinct access tokens issued. */
  readonly issued: number;
  /** What the server knows of an access token it issued, or undefined. */
  lookup(accessToken: string): IssuedGoogleToken | undefined;
  /** Issues a new token at the next request, whatever the age of the current one. */
  rotate(): void;
  setOutage(outage: EndpointOutage): void;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const TOKEN_PATH = /^\/computeMetadata\/v1\/instance\/service-accounts\/(default|[^/]+@[^/]+)\/token$/;

export async function startGoogleMetadataServer(
  options: GoogleMetadataServerOptions = {},
): Promise<GoogleMetadataServer> {
  const clock = options.clock ?? systemClock;
  const lifetimeMs = options.tokenLifetimeMs ?? 3_600_000;
  const renewBeforeMs = Math.min(options.renewBeforeExpiryMs ?? 300_000, lifetimeMs / 2);
  if (!(lifetimeMs >= 1000)) throw new TypeError('tokenLifetimeMs must be at least 1000');
  const email = options.serviceAccountEmail ?? 'redis-client@authx-emulator.iam.gserviceaccount.com';
  const projectId = options.projectId ?? 'authx-emulator';
  const tokens = new Map<string, IssuedGoogleToken>();
  let current: { token: string; info: IssuedGoogleToken } | undefined;
  let forceRotation = false;
  let tokenRequests = 0;
  const flavor = { 'Metadata-Flavor': 'Google' };
  const server = new CloudHttpServer(
    (request, response) => {
      const url = new URL(request.url ?? '/', 'http://metadata');
      if (request.headers['metadata-flavor'] !== 'Google') {
        sendJson(response, 403, { error: 'Missing Metadata-Flavor:Google header.' }, flavor);
        return;
      }
      const text = (body: string) => {
        response.writeHead(200, { 'content-type': 'application/text', ...flavor });
        response.end(body);
      };
      if (
        url.pathname === '/' ||
        url.pathname === '/computeMetadata/v1/instance' ||
        url.pathname === '/computeMetadata/v1/instance/'
      ) {
        text('attributes/\nservice-accounts/\n');
        return;
      }
      if (url.pathname === '/computeMetadata/v1/project/project-id') return text(projectId);
      if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/email') return text(email);
      const match = TOKEN_PATH.exec(url.pathname);
      if (!match) {
        response.writeHead(404, flavor);
        response.end('Not Found');
        return;
      }
      tokenRequests++;
      if (match[1] !== 'default' && match[1] !== email) {
        response.writeHead(404, flavor);
        response.end('Not Found');
        return;
      }
      const now = clock.now();
      // Never a token with less than 1 s left: `expires_in` is whole seconds, and 0 means "no expiry" to clients.
      if (!current || forceRotation || current.info.expiresAtMs - now < Math.max(renewBeforeMs, 1000)) {
        const token = `ya29.emulator-${randomBytes(32).toString('base64url')}`;
        const info: IssuedGoogleToken = Object.freeze({
          email,
          scopes: Object.freeze(
            (url.searchParams.get('scopes') ?? 'https://www.googleapis.com/auth/cloud-platform').split(','),
          ),
          issuedAtMs: now,
          expiresAtMs: now + lifetimeMs,
          serial: tokens.size + 1,
        });
        tokens.set(token, info);
        current = { token, info };
        forceRotation = false;
      }
      sendJson(
        response,
        200,
        {
          access_token: current.token,
          expires_in: Math.max(0, Math.floor((current.info.expiresAtMs - now) / 1000)),
          token_type: 'Bearer',
        },
        flavor,
      );
    },
    (status) => ({ error: status >= 500 ? 'internal_failure' : 'access_denied' }),
  );
  await server.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  const hostPort = `${options.host ?? '127.0.0.1'}:${server.port}`;
  const stop = () => server.stop();
  return {
    hostPort,
    env: Object.freeze({ GCE_METADATA_HOST: hostPort, METADATA_SERVER_DETECTION: 'ping-only' }),
    serviceAccountEmail: email,
    get tokenRequests() {
      return tokenRequests;
    },
    get requests() {
      return server.requests;
    },
    get issued() {
      return tokens.size;
    },
    lookup: (accessToken) => tokens.get(accessToken),
    rotate: () => {
      forceRotation = true;
    },
    setOutage: (outage) => server.setOutage(outage),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
