import { InvalidOptionError } from '../errors';
import { HostNotAllowedError, InsecureTransportError } from './binding-errors';

/**
 * Where a connection sends its credentials, as configured (not as resolved: a name that some
 * resolver maps to 127.0.0.1 is still a network name, and is judged as one).
 */
export interface Destination {
  /** Host name or IP address; `undefined` means the client's default (`localhost`). */
  readonly host?: string | undefined;
  readonly port?: number | string | undefined;
  /** True when the connection is TLS. */
  readonly tls: boolean;
  /** A Unix domain socket path (local by construction). */
  readonly path?: string | undefined;
}

/** The client-independent part of the bindings' transport options. */
export interface TransportPolicy {
  /** Send credentials over plaintext to non-loopback hosts (a warning is the caller's job). */
  readonly allowInsecureTransport: boolean;
  /** When set, only hosts it matches may receive credentials. */
  readonly allowedHosts: HostMatcher | undefined;
}

/** A compiled `allowedHosts` list. */
export interface HostMatcher {
  readonly patterns: readonly string[];
  matches(host: string): boolean;
}

/** What {@link checkDestination} found. */
export type DestinationVerdict =
  | { readonly ok: true; readonly insecureAllowed: boolean }
  | { readonly ok: false; readonly error: InsecureTransportError | HostNotAllowedError };

/**
 * Host name normalised for comparison: lower case, without a trailing dot, IPv6 without brackets.
 * `undefined` stands for the clients' default host, `localhost`.
 */
export function normalizeHost(host: string | undefined): string {
  let h = (host ?? 'localhost').trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * True for a loopback destination by its configured name: `localhost` (any case, with or without
 * a trailing dot), an IPv4 address in 127.0.0.0/8, `::1`, or an IPv4-mapped `::ffff:127.x.y.z`.
 * Other names are not loopback, whatever they resolve to.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  const h = normalizeHost(host);
  if (h === 'localhost') return true;
  if (isLoopbackIPv4(h)) return true;
  if (!h.includes(':')) return false;
  let canonical: string;
  try {
    canonical = new URL(`http://[${h}]/`).hostname.slice(1, -1);
  } catch {
    return false;
  }
  if (canonical === '::1') return true;
  // WHATWG URL writes IPv4-mapped addresses in hex: ::ffff:7f00:1 is ::ffff:127.0.0.1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/.exec(canonical);
  return mapped !== null && Number.parseInt(mapped[1] ?? '', 16) >> 8 === 127;
}

function isLoopbackIPv4(h: string): boolean {
  const m = IPV4.exec(h);
  if (!m) return false;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) && octets[0] === 127;
}

/** True when `destination` is TLS, a Unix socket, or a loopback host. */
export function isSecureTransport(destination: Destination): boolean {
  if (destination.tls) return true;
  if (typeof destination.path === 'string' && destination.path.length > 0) return true;
  return isLoopbackHost(destination.host);
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

function isHostName(name: string): boolean {
  return name.length <= 253 && name.split('.').every((label) => LABEL.test(label));
}

function isIpLiteral(name: string): boolean {
  if (IPV4.test(name)) return name.split('.').every((o) => Number(o) <= 255);
  if (!name.includes(':')) return false;
  try {
    new URL(`http://[${name}]/`);
    return true;
  } catch {
    return false;
  }
}

const ALLOWED_HOSTS_ACCEPTED =
  'a non-empty array of host names or IP addresses, each exact (e.g. "my-cache.example") or with a leading "*." ' +
  'wildcard standing for one or more labels before a suffix of at least two labels (e.g. "*.redis.cache.windows.net")';

/**
 * Compiles an `allowedHosts` option: exact names (case-insensitive, trailing dot ignored; IP
 * literals allowed) and `*.suffix`, which matches any name ending in `.suffix` with at least one
 * more label (`*.redis.azure.net` matches `a.redis.azure.net` and `a.b.redis.azure.net`, not
 * `redis.azure.net`). `undefined` stays undefined (no restriction). Anything else throws an
 * InvalidOptionError naming `option`.
 */
export function compileAllowedHosts(option: string, value: unknown): HostMatcher | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    throw new InvalidOptionError(option, ALLOWED_HOSTS_ACCEPTED, value);
  }
  const exact = new Set<string>();
  const suffixes: string[] = [];
  value.forEach((pattern: unknown, index) => {
    if (typeof pattern !== 'string' || pattern.trim() === '') {
      throw new InvalidOptionError(`${option}[${index}]`, ALLOWED_HOSTS_ACCEPTED, pattern);
    }
    const p = normalizeHost(pattern);
    if (p.startsWith('*.')) {
      const suffix = p.slice(2);
      if (!isHostName(suffix) || !suffix.includes('.') || IPV4.test(suffix)) {
        throw new InvalidOptionError(`${option}[${index}]`, ALLOWED_HOSTS_ACCEPTED, `"${pattern}"`);
      }
      suffixes.push(`.${suffix}`);
      return;
    }
    if (!isHostName(p) && !isIpLiteral(p)) {
      throw new InvalidOptionError(`${option}[${index}]`, ALLOWED_HOSTS_ACCEPTED, `"${pattern}"`);
    }
    exact.add(p);
  });
  const patterns = Object.freeze(value.map(String));
  return Object.freeze({
    patterns,
    matches(host: string): boolean {
      const h = normalizeHost(host);
      if (exact.has(h)) return true;
      return suffixes.some((suffix) => h.length > suffix.length && h.endsWith(suffix));
    },
  });
}

/**
 * Whether credentials may go to `destination`: the host must match `allowedHosts` when that is
 * set (checked first, loopback included), and the transport must be TLS, a Unix socket or a
 * loopback host unless `allowInsecureTransport`. `connection` labels the error.
 */
export function checkDestination(
  destination: Destination,
  policy: TransportPolicy,
  connection?: string,
): DestinationVerdict {
  const host = destination.path ? destination.path : normalizeHost(destination.host);
  if (policy.allowedHosts && !destination.path && !policy.allowedHosts.matches(host)) {
    return {
      ok: false,
      error: new HostNotAllowedError(host, connection === undefined ? {} : { connection }),
    };
  }
  if (isSecureTransport(destination)) return { ok: true, insecureAllowed: false };
  if (policy.allowInsecureTransport) return { ok: true, insecureAllowed: true };
  return {
    ok: false,
    error: new InsecureTransportError(host, {
      port: destination.port,
      ...(connection === undefined ? {} : { connection }),
    }),
  };
}
