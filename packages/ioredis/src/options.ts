import {
  type BasicAuth,
  type Clock,
  DEFAULT_RECOVERY_POLICY,
  InvalidOptionError,
  type RecoveryPolicyOptions,
  type ResolvedRecoveryPolicy,
  type ResolvedRetryPolicy,
  resolveRecoveryPolicy,
  resolveRetryPolicy,
  jwtExpiresAtMs,
  resolveTransportPolicy,
  systemClock,
  type TransportPolicy,
} from '@authx/token-core';

/** Options of {@link createIoredisAuth} / {@link bindCredentials}. Every default is in {@link DEFAULT_IOREDIS_AUTH_OPTIONS}. */
export interface IoredisAuthOptions {
  /**
   * Delay before the first retry of a failed re-authentication (AUTH refused for a transient
   * reason, or a RESP2 rotation that failed), in milliseconds; doubles on each further failure up
   * to `reauthMaxDelayMs`, with `reauthJitterPercentage` of jitter. While the credentials in use
   * are still valid, a retry never waits past half of their remaining life. A refusal of the
   * credentials themselves (`WRONGPASS`, `NOPERM`) is not retried: the connection waits for new
   * ones. 1–2147483647. Default `100`.
   */
  reauthInitialDelayMs?: number;
  /** Upper bound of the delay between re-authentication retries, in milliseconds. Default `5000`. */
  reauthMaxDelayMs?: number;
  /** Jitter of the re-authentication retry delay, in percent (0–100), centred on it. Default `20`. */
  reauthJitterPercentage?: number;
  /**
   * An AUTH without a reply after this many milliseconds counts as failed (and is retried) — except
   * behind a blocking command, where it waits with a `reauthDeferred` event. Default `10000`.
   */
  reauthTimeoutMs?: number;
  /**
   * A RESP2 subscriber's make-before-break rotation that has not finished after this many
   * milliseconds is abandoned (bridge closed, subscriber untouched if it had not been switched yet)
   * and retried. Default `10000`.
   */
  rotationTimeoutMs?: number;
  /**
   * How long a connection handshake waits for valid credentials when there are none (the provider
   * is failing, or they expired) before it fails with `CredentialsUnavailableError`, in
   * milliseconds. Default: the client's own `connectTimeout` (ioredis' default 10000), else `5000`.
   */
  credentialsTimeoutMs?: number;
  /**
   * How the binding subscribes again after the provider failed or its credentials expired with
   * nothing newer, for as long as something bound is open: one subscribe per step, 1 s doubling
   * to 30 s by default (see `RecoveryPolicyOptions` of `@authx/token-core`).
   */
  recovery?: RecoveryPolicyOptions;
  /**
   * When credentials stop working (epoch ms), or `undefined` when unknown. The binding never hands
   * a handshake credentials past this time. Default: the `exp` claim when the password is a JWT
   * (e.g. an Entra ID token).
   */
  expiresAtMs?: (credentials: BasicAuth) => number | undefined;
  /**
   * Label prefix of this binding's connections in events, e.g. `orders` → `orders/redis#1`.
   * Never contains credentials. Default `''` (labels like `redis#1`).
   */
  label?: string;
  /** Time source; default the system clock (timers unref'd, so the binding never keeps a process alive). */
  clock?: Clock;
  /**
   * Re-authenticate every connection at least this often, in milliseconds, even when the
   * credentials have not changed: AUTH with the current credentials (a RESP2 subscriber is moved
   * make-before-break; a transaction is waited for, as always). For services that close a
   * connection a fixed time after its last AUTH — ElastiCache and MemoryDB IAM: 12 h
   * (`@authx/aws` recommends 1 h). Every authentication (handshake, AUTH after a refresh,
   * rotation) restarts the count. 100–2147483647. Default: unset (AUTH only with new credentials).
   */
  maxConnectionAgeMs?: number;
  /**
   * Lets the binding send tokens over plaintext to hosts that are not loopback. By default a
   * connect whose options are neither TLS (`tls: {…}`) nor to a loopback host (`localhost`,
   * 127.0.0.0/8, `::1`, a Unix socket `path`) fails with `InsecureTransportError` (code
   * `INSECURE_TRANSPORT`) before any token is put into the options or sent. The host is judged
   * by its configured name, not by what it resolves to. Only for private networks that terminate
   * TLS elsewhere; the first such connect emits one process warning (code
   * `AUTHX_INSECURE_TRANSPORT`) per binding. Default `false`.
   */
  allowInsecureTransport?: boolean;
  /**
   * The only Redis host names that may receive tokens, e.g.
   * `['*.redis.cache.windows.net', '*.redis.azure.net']`: exact names and IP addresses, or
   * `*.suffix` for one or more labels before `.suffix` (the same syntax as `@authx/redis-auth`).
   * Other hosts are refused with `HostNotAllowedError` (code `HOST_NOT_ALLOWED`). Default: unset,
   * any host.
   */
  allowedHosts?: readonly string[];
}

export interface ResolvedIoredisAuthOptions {
  readonly reauthRetry: ResolvedRetryPolicy;
  readonly reauthTimeoutMs: number;
  readonly rotationTimeoutMs: number;
  readonly credentialsTimeoutMs: number | undefined;
  readonly maxConnectionAgeMs: number | undefined;
  readonly recovery: ResolvedRecoveryPolicy;
  readonly expiresAtMs: (credentials: BasicAuth) => number | undefined;
  readonly label: string;
  readonly clock: Clock;
  readonly transport: TransportPolicy;
}

/** The defaults documented on {@link IoredisAuthOptions}. */
export const DEFAULT_IOREDIS_AUTH_OPTIONS = Object.freeze({
  reauthInitialDelayMs: 100,
  reauthMaxDelayMs: 5000,
  reauthJitterPercentage: 20,
  reauthTimeoutMs: 10_000,
  rotationTimeoutMs: 10_000,
  /** Used when neither this option nor the client's `connectTimeout` is set. */
  credentialsTimeoutMs: 5000,
  maxConnectionAgeMs: undefined,
  recovery: DEFAULT_RECOVERY_POLICY,
  label: '',
  allowInsecureTransport: false,
  allowedHosts: undefined,
});

const MAX_MS = 2_147_483_647;

function ms(option: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_MS) {
    throw new InvalidOptionError(option, `a finite number of milliseconds from ${min} to ${MAX_MS}`, value);
  }
  return value;
}

export function resolveIoredisAuthOptions(options: IoredisAuthOptions = {}): ResolvedIoredisAuthOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const d = DEFAULT_IOREDIS_AUTH_OPTIONS;
  const initial = ms('reauthInitialDelayMs', options.reauthInitialDelayMs, d.reauthInitialDelayMs);
  const max = options.reauthMaxDelayMs ?? d.reauthMaxDelayMs;
  if (typeof max !== 'number' || !Number.isFinite(max) || max < initial || max > MAX_MS) {
    throw new InvalidOptionError(
      'reauthMaxDelayMs',
      `a finite number of milliseconds >= reauthInitialDelayMs (${initial})`,
      max,
    );
  }
  const jitter = options.reauthJitterPercentage ?? d.reauthJitterPercentage;
  if (typeof jitter !== 'number' || !Number.isFinite(jitter) || jitter < 0 || jitter > 100) {
    throw new InvalidOptionError('reauthJitterPercentage', 'a number from 0 to 100', jitter);
  }
  if (options.expiresAtMs !== undefined && typeof options.expiresAtMs !== 'function') {
    throw new InvalidOptionError(
      'expiresAtMs',
      'a function (credentials) => epoch milliseconds | undefined',
      options.expiresAtMs,
    );
  }
  const label = options.label ?? d.label;
  if (typeof label !== 'string') throw new InvalidOptionError('label', 'a string', label);
  const clock = options.clock ?? systemClock;
  if (
    typeof clock?.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    throw new InvalidOptionError('clock', 'a Clock { now, setTimeout, clearTimeout }', clock);
  }
  return Object.freeze({
    reauthRetry: resolveRetryPolicy(
      { initialDelayMs: initial, maxDelayMs: max, backoffMultiplier: 2, jitterPercentage: jitter },
      'reauth',
    ),
    reauthTimeoutMs: ms('reauthTimeoutMs', options.reauthTimeoutMs, d.reauthTimeoutMs),
    rotationTimeoutMs: ms('rotationTimeoutMs', options.rotationTimeoutMs, d.rotationTimeoutMs),
    credentialsTimeoutMs:
      options.credentialsTimeoutMs === undefined
        ? undefined
        : ms('credentialsTimeoutMs', options.credentialsTimeoutMs, d.credentialsTimeoutMs),
    maxConnectionAgeMs:
      options.maxConnectionAgeMs === undefined
        ? undefined
        : ms('maxConnectionAgeMs', options.maxConnectionAgeMs, 0, 100),
    recovery: resolveRecoveryPolicy(options.recovery, 'recovery') ?? DEFAULT_RECOVERY_POLICY,
    expiresAtMs: options.expiresAtMs ?? jwtExpiresAtMs,
    label,
    clock,
    transport: resolveTransportPolicy(options),
  });
}
