import type { Destination } from '@authx/token-core';

/** The socket part of node-redis client options that decides where a connection goes. */
interface SocketOptionsShape {
  host?: unknown;
  port?: unknown;
  tls?: unknown;
  path?: unknown;
}

/** Client options as node-redis keeps them (`url` already parsed into `socket`) or as given (cluster root nodes). */
export interface ClientOptionsShape {
  url?: unknown;
  socket?: SocketOptionsShape | undefined;
}

/**
 * Where a node-redis client with these options connects, as configured: `socket.host` / `socket.tls`
 * / `socket.path`, else the `url` (`rediss:` is TLS). The configured name is what counts, never what
 * a `socket.lookup` or DNS makes of it.
 */
export function destinationOf(options: ClientOptionsShape | undefined): Destination {
  const socket = (options?.socket ?? {}) as SocketOptionsShape;
  let host = typeof socket.host === 'string' ? socket.host : undefined;
  let port = typeof socket.port === 'number' || typeof socket.port === 'string' ? socket.port : undefined;
  let tls = socket.tls === true;
  const path = typeof socket.path === 'string' && socket.path.length > 0 ? socket.path : undefined;
  if (typeof options?.url === 'string') {
    try {
      const url = new URL(options.url);
      host ??= url.hostname || undefined;
      port ??= url.port || undefined;
      if (url.protocol === 'rediss:') tls = true;
    } catch {
      // node-redis refuses an invalid URL itself, before any handshake.
    }
  }
  return { host, port, tls, path };
}

export { INSECURE_TRANSPORT_WARNING_CODE, TransportGuard, type TransportRefusal } from '@authx/token-core';
