import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AuthCodePKCEParams,
  EntraIdCredentialsProviderFactory,
  type EntraidCredentialsProvider,
} from '@authx/entraid';
import { bindCredentials, type RedisAuth } from '@authx/redis-auth';
import { createClient, type RedisClientType } from 'redis';

/** A signed-in user: their own token refresh loop and their own Redis connection, as them. */
interface Session {
  readonly oid: string;
  readonly provider: EntraidCredentialsProvider;
  readonly client: RedisClientType;
  readonly auth: RedisAuth;
  tokensAcquired: number;
}

/** What `GET /me` answers. */
export interface MeResponse {
  /** `ACL WHOAMI` on the user's connection: the user's object id. */
  redisUser: string;
  /** This user's visits, counted in Redis. */
  visits: number;
  tokensAcquired: number;
}

/** A running web app. */
export interface WebApp {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Options of {@link startWebApp}: the app registration (without `redirectUri`) and Redis. */
export interface WebAppOptions {
  registration: Omit<AuthCodePKCEParams, 'redirectUri'>;
  redisUrl: string;
  /** Listening port; 0 picks a free one. */
  port: number;
}

const SESSION_COOKIE = 'sid';

/**
 * A small node:http app: `/login` sends the browser to Entra ID (authorization code + PKCE),
 * `/callback` redeems the code and opens a Redis connection authenticated as the user (tokens
 * refreshed silently with the refresh token), `/me` uses that connection.
 */
export async function startWebApp(options: WebAppOptions): Promise<WebApp> {
  const server = createServer();
  server.listen(options.port, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const flow = EntraIdCredentialsProviderFactory.createForAuthorizationCodeWithPKCE({
    ...options.registration,
    redirectUri: `${url}/callback`,
  });
  const pendingVerifiers = new Map<string, string>(); // state → PKCE verifier
  const sessions = new Map<string, Session>();

  async function login(response: ServerResponse): Promise<void> {
    const codes = await flow.getPKCECodes();
    const state = randomUUID();
    pendingVerifiers.set(state, codes.verifier);
    redirect(response, await flow.getAuthCodeUrl({ ...codes, state }));
  }

  async function callback(query: URLSearchParams, response: ServerResponse): Promise<void> {
    const code = query.get('code');
    const state = query.get('state') ?? '';
    // msal-node sends our state unchanged (it adds no prefix): it is the key of the pending verifier.
    const verifier = pendingVerifiers.get(state);
    pendingVerifiers.delete(state);
    if (!code || verifier === undefined) {
      send(response, 400, 'text/plain', `sign-in failed: ${query.get('error') ?? 'unknown or reused state'}`);
      return;
    }
    const provider = flow.createCredentialsProvider({
      code,
      verifier,
      state,
      clientInfo: query.get('client_info') ?? undefined,
    });
    const session = await openSession(provider, options.redisUrl);
    const sid = randomUUID();
    sessions.set(sid, session);
    console.log(`signed in: Redis user ${session.oid}`);
    response.setHeader('set-cookie', `${SESSION_COOKIE}=${sid}; HttpOnly; SameSite=Lax; Path=/`);
    send(response, 200, 'text/html', `<p>Signed in. Redis user: ${session.oid}. <a href="/me">/me</a></p>`);
  }

  async function me(session: Session, response: ServerResponse): Promise<void> {
    const visits = await session.client.incr(`example:visits:${session.oid}`);
    const redisUser = String(await session.client.sendCommand(['ACL', 'WHOAMI']));
    const body: MeResponse = { redisUser, visits, tokensAcquired: session.tokensAcquired };
    send(response, 200, 'application/json', JSON.stringify(body));
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const { pathname, searchParams } = new URL(request.url ?? '/', url);
    const session = sessions.get(cookie(request, SESSION_COOKIE) ?? '');
    let handled: Promise<void>;
    if (pathname === '/login') handled = login(response);
    else if (pathname === '/callback') handled = callback(searchParams, response);
    else if (pathname === '/me' && session) handled = me(session, response);
    else if (pathname === '/me') handled = Promise.resolve(redirect(response, '/login'));
    else handled = Promise.resolve(send(response, 200, 'text/html', '<a href="/login">Sign in</a>'));
    handled.catch((error: Error) => send(response, 500, 'text/plain', `${error.name}: ${error.message}`));
  });

  return {
    url,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions.values()) {
        await closeClient(session.client);
        session.auth.dispose();
        session.provider.dispose();
      }
    },
  };
}

async function openSession(provider: EntraidCredentialsProvider, redisUrl: string): Promise<Session> {
  const client: RedisClientType = createClient({ url: redisUrl, socket: { reconnectStrategy } });
  client.on('error', (error: Error) => console.log(`redis client error: ${error.message}`));
  const auth = bindCredentials(client, provider);
  auth.events.on('reauthFailed', ({ connection, error }) =>
    console.log(`${connection} re-auth failed: ${error.code}`),
  );
  const session = { provider, client, auth, oid: '', tokensAcquired: 0 };
  provider.events.on('tokenAcquired', () => {
    session.tokensAcquired++;
    console.log(`user token #${session.tokensAcquired} acquired`);
  });
  try {
    await client.connect();
  } catch (error) {
    await closeClient(client);
    auth.dispose();
    provider.dispose();
    throw error;
  }
  session.oid = provider.getCurrentCredentials()?.username ?? 'unknown';
  return session;
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, value] = part.trim().split('=');
    if (key === name) return value;
  }
  return undefined;
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { location });
  response.end();
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  if (response.headersSent) return;
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

/** Reconnect quickly, but give up after ~10 s without Redis, so that the example ends instead of waiting forever. */
function reconnectStrategy(retries: number): number | Error {
  return retries < 12 ? Math.min(50 * 2 ** retries, 1000) : new Error('Redis is unreachable');
}

/** Closes a client that may never have connected, or may have given up reconnecting. */
async function closeClient(client: RedisClientType): Promise<void> {
  if (!client.isOpen) return;
  try {
    await client.close();
  } catch {
    if (client.isOpen) client.destroy();
  }
}
