import diagnosticsChannel from 'node:diagnostics_channel';
import {
  type AuthxError,
  type HostNotAllowedError,
  type InsecureTransportError,
  type PubSubRotationError,
  type ReauthenticationError,
  TypedEventEmitter,
} from '@authx/token-core';

/** Why a connection's re-authentication waits. */
export type ReauthDeferralReason =
  /** Not connected right now; its reconnect handshake will use the newest credentials. */
  | 'reconnecting'
  /** A MULTI is open on it (`multi({ pipeline: false })`, or sent by hand); the AUTH follows its EXEC / DISCARD. */
  | 'transaction'
  /** The AUTH is queued behind a blocking command (BLPOP, XREAD BLOCK, …) and runs when it returns. */
  | 'blocking-command';

/**
 * Events of an {@link IoredisAuth} binding — the same names and payloads as `@authx/redis-auth`'s.
 * Payloads carry connection labels, never credentials.
 */
export interface IoredisAuthEvents {
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
   * A RESP2 subscriber was moved onto new credentials (make-before-break). Delivery is exactly
   * once: `bridged` messages reached the subscriber's listeners through the bridge connection.
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
   * A connect was refused before any credential was put into its options or sent: the connection
   * is neither TLS nor loopback (`InsecureTransportError`, code `INSECURE_TRANSPORT`), or its host
   * is not in `allowedHosts` (`HostNotAllowedError`, code `HOST_NOT_ALLOWED`). The same error
   * rejects the connect and is emitted on the client's `error` event; ioredis' retry strategy
   * tries again, each attempt refused until the configuration is fixed.
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

export type IoredisAuthEventName = keyof IoredisAuthEvents;

/** `node:diagnostics_channel` names, one per event; each message is the event's payload. */
export const IOREDIS_DIAGNOSTICS_CHANNELS: Readonly<Record<IoredisAuthEventName, string>> = Object.freeze({
  credentialsUpdated: 'authx:ioredis:credentials-updated',
  reauthenticated: 'authx:ioredis:reauthenticated',
  reauthFailed: 'authx:ioredis:reauth-failed',
  reauthDeferred: 'authx:ioredis:reauth-deferred',
  pubsubRotated: 'authx:ioredis:pubsub-rotated',
  providerError: 'authx:ioredis:provider-error',
  connectionAdded: 'authx:ioredis:connection-added',
  connectionRemoved: 'authx:ioredis:connection-removed',
  listenerError: 'authx:ioredis:listener-error',
  transportRefused: 'authx:ioredis:transport-refused',
});

const channels = Object.fromEntries(
  Object.entries(IOREDIS_DIAGNOSTICS_CHANNELS).map(([name, channel]) => [
    name,
    diagnosticsChannel.channel(channel),
  ]),
) as Record<IoredisAuthEventName, diagnosticsChannel.Channel>;

/** The emitter behind `events`: every event also goes to its diagnostics channel. */
export class IoredisAuthEventEmitter extends TypedEventEmitter<IoredisAuthEvents> {
  constructor() {
    super((error, event) => {
      if (event !== 'listenerError') this.emit('listenerError', { event, error });
    });
  }

  override emit<K extends IoredisAuthEventName>(name: K, payload: IoredisAuthEvents[K]): void {
    const channel = channels[name];
    // Node reports a throwing channel subscriber on process.nextTick, outside this call.
    if (channel.hasSubscribers) channel.publish(payload);
    super.emit(name, payload);
  }
}
