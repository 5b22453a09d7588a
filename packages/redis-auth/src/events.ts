import type {
  AuthxError,
  HostNotAllowedError,
  InsecureTransportError,
  PubSubRotationError,
  ReauthenticationError,
} from '@authx/token-core';

/** Why a connection's re-authentication waits. */
export type ReauthDeferralReason =
  /** Not connected right now; its reconnect handshake will use the newest credentials. */
  | 'reconnecting'
  /** A hand-written MULTI is open on it; the AUTH follows its EXEC / DISCARD. */
  | 'transaction'
  /** The AUTH is queued behind a blocking command (BLPOP, XREAD BLOCK, …) and runs when it returns. */
  | 'blocking-command';

/** Events of a {@link RedisAuth} binding. Payloads carry connection labels, never credentials. */
export interface RedisAuthEvents {
  /** The provider delivered new credentials; every live connection is being re-authenticated. */
  credentialsUpdated: { generation: number; expiresAtMs: number | undefined; connections: number };
  /** A connection now uses the credentials of `generation`. */
  reauthenticated: {
    connection: string;
    generation: number;
    /** `auth`: AUTH on the live connection; `handshake`: it reconnected; `pubsub-rotation`: RESP2 subscriber moved. */
    via: 'auth' | 'handshake' | 'pubsub-rotation';
  };
  /**
   * A re-authentication failed. Retried after `retryInMs` while the connection lives; when the
   * server refused the credentials themselves (`WRONGPASS`, `NOPERM`: `error.isRetryable` false)
   * `retryInMs` is `undefined` and the connection waits for newer credentials (reported once).
   */
  reauthFailed: {
    connection: string;
    generation: number;
    error: ReauthenticationError | PubSubRotationError;
    attempt: number;
    retryInMs: number | undefined;
  };
  /** A re-authentication has to wait; see {@link ReauthDeferralReason}. */
  reauthDeferred: {
    connection: string;
    generation: number;
    reason: ReauthDeferralReason;
    /** When the connection's current credentials expire, if known (epoch ms). */
    expiresAtMs?: number | undefined;
    /**
     * For `blocking-command`: true when the blocking command may outlast the current credentials
     * (its timeout ends after `expiresAtMs`, or it blocks forever) — the server may close the connection.
     */
    willMissExpiry?: boolean | undefined;
  };
  /**
   * A RESP2 subscriber was moved onto new credentials (make-before-break). Delivery is
   * at-least-once: `bridged` messages came through the bridge, and the few of them published in
   * the round trips around the switch also came through the subscriber (content is never used to
   * guess which).
   */
  pubsubRotated: {
    connection: string;
    generation: number;
    /** Messages the bridge delivered to the subscriber's listeners. */
    bridged: number;
  };
  /**
   * The provider failed (`CredentialsProviderError`), or the credentials expired with nothing
   * newer (`CredentialsUnavailableError`). Connections keep their current credentials while those
   * are valid; the binding keeps recovering (see the `recovery` option).
   */
  providerError: { error: AuthxError };
  /**
   * A handshake was refused before any credential was read or sent: the connection is neither TLS
   * nor loopback (`InsecureTransportError`, code `INSECURE_TRANSPORT`), or its host is not in
   * `allowedHosts` (`HostNotAllowedError`, code `HOST_NOT_ALLOWED`). The same error fails the
   * handshake, so node-redis also reports it on the client's `error` event (and keeps retrying per
   * its `reconnectStrategy`, each attempt refused again until the configuration is fixed).
   */
  transportRefused: {
    connection: string;
    /** The configured host (or Unix socket path), never what it resolves to. */
    host: string;
    error: InsecureTransportError | HostNotAllowedError;
  };
  /** The binding started tracking a connection. */
  connectionAdded: { connection: string };
  /** A connection was closed by its owner; the binding stopped tracking it. */
  connectionRemoved: { connection: string };
  /** A listener of this emitter threw; the error is reported here instead of breaking the binding. */
  listenerError: { event: string; error: unknown };
}

export type RedisAuthEventName = keyof RedisAuthEvents;
