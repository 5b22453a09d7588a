import {
  checkDestination,
  type Destination,
  type HostNotAllowedError,
  type InsecureTransportError,
  type TransportPolicy,
} from '@authx/token-core';

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

/** What the guard reports a refusal to (the binding turns it into its `transportRefused` event). */
export type TransportRefusal = (
  connection: string,
  host: string,
  error: InsecureTransportError | HostNotAllowedError,
) => void;

export const INSECURE_TRANSPORT_WARNING_CODE = 'AUTHX_INSECURE_TRANSPORT';

/**
 * A binding's transport check, run before every handshake hands out credentials. With
 * `allowInsecureTransport` the first plaintext handshake to a non-loopback host emits one process
 * warning for the whole binding (never one per connection).
 */
export class TransportGuard {
  readonly #policy: TransportPolicy;
  readonly #label: string;
  readonly #onRefused: TransportRefusal;
  #warned = false;

  constructor(policy: TransportPolicy, label: string, onRefused: TransportRefusal) {
    this.#policy = policy;
    this.#label = label;
    this.#onRefused = onRefused;
  }

  /** Throws InsecureTransportError / HostNotAllowedError when credentials may not go there. */
  check(destination: Destination, connection: string): void {
    const verdict = checkDestination(destination, this.#policy, connection);
    if (!verdict.ok) {
      this.#onRefused(connection, verdict.error.host, verdict.error);
      throw verdict.error;
    }
    if (verdict.insecureAllowed && !this.#warned) {
      this.#warned = true;
      const binding = this.#label === '' ? 'A RedisAuth binding' : `The RedisAuth binding "${this.#label}"`;
      process.emitWarning(
        `${binding} sends tokens over plaintext to a non-loopback host (first: ${destination.host ?? 'localhost'}) because allowInsecureTransport is true; ` +
          'anyone on the network path can read and replay them. Use TLS unless a private network terminates it elsewhere.',
        { type: 'SecurityWarning', code: INSECURE_TRANSPORT_WARNING_CODE },
      );
    }
  }
}
