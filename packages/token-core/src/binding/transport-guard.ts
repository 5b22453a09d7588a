import { InvalidOptionError } from '../errors';
import type { HostNotAllowedError, InsecureTransportError } from './binding-errors';
import {
  checkDestination,
  compileAllowedHosts,
  type Destination,
  type TransportPolicy,
} from './transport-policy';

/** The transport options every binding takes (see `@authx/redis-auth`'s README, "Security"). */
export interface TransportOptions {
  /** Send tokens over plaintext to non-loopback hosts (one warning per binding). Default `false`. */
  allowInsecureTransport?: boolean;
  /** The only host names that may receive tokens (`*.suffix` wildcards). Default: unset, any host. */
  allowedHosts?: readonly string[];
}

/** Validates the transport options (InvalidOptionError naming the option) into a policy. */
export function resolveTransportPolicy(options: TransportOptions): TransportPolicy {
  const allowInsecureTransport = options.allowInsecureTransport ?? false;
  if (typeof allowInsecureTransport !== 'boolean') {
    throw new InvalidOptionError(
      'allowInsecureTransport',
      'a boolean (true or false)',
      allowInsecureTransport,
    );
  }
  const allowedHosts = compileAllowedHosts('allowedHosts', options.allowedHosts);
  return Object.freeze({ allowInsecureTransport, allowedHosts });
}

/** Process warning code of the one warning a binding emits when `allowInsecureTransport` is used. */
export const INSECURE_TRANSPORT_WARNING_CODE = 'AUTHX_INSECURE_TRANSPORT';

/** Where a guard reports a refusal (a binding turns it into its `transportRefused` event). */
export type TransportRefusal = (
  connection: string,
  host: string,
  error: InsecureTransportError | HostNotAllowedError,
) => void;

/**
 * A binding's transport check, run before any handshake is handed credentials (any Redis client).
 * With `allowInsecureTransport` the first plaintext handshake to a non-loopback host emits one
 * process warning for the whole binding (never one per connection).
 */
export class TransportGuard {
  readonly #policy: TransportPolicy;
  readonly #bindingName: string;
  readonly #onRefused: TransportRefusal;
  #warned = false;

  /** `bindingName` names the binding in the warning, e.g. `The RedisAuth binding "orders"`. */
  constructor(policy: TransportPolicy, bindingName: string, onRefused: TransportRefusal) {
    this.#policy = policy;
    this.#bindingName = bindingName;
    this.#onRefused = onRefused;
  }

  /** The policy's verdict for `destination`, without reporting or throwing. */
  allows(destination: Destination): boolean {
    return checkDestination(destination, this.#policy).ok;
  }

  /** Throws InsecureTransportError / HostNotAllowedError (after reporting it) when credentials may not go there. */
  check(destination: Destination, connection: string): void {
    const verdict = checkDestination(destination, this.#policy, connection);
    if (!verdict.ok) {
      this.#onRefused(connection, verdict.error.host, verdict.error);
      throw verdict.error;
    }
    if (verdict.insecureAllowed && !this.#warned) {
      this.#warned = true;
      process.emitWarning(
        `${this.#bindingName} sends tokens over plaintext to a non-loopback host (first: ${destination.host ?? 'localhost'}) because allowInsecureTransport is true; ` +
          'anyone on the network path can read and replay them. Use TLS unless a private network terminates it elsewhere.',
        { type: 'SecurityWarning', code: INSECURE_TRANSPORT_WARNING_CODE },
      );
    }
  }
}
