import type { CredentialsProviderError, PubSubRotationError, ReauthenticationError } from './errors';

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
  /** A re-authentication failed; it is retried after `retryInMs` while the connection lives. */
  reauthFailed: {
    connection: string;
    generation: number;
    error: ReauthenticationError | PubSubRotationError;
    attempt: number;
    retryInMs: number;
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
  /** A RESP2 subscriber was moved onto new credentials (make-before-break). */
  pubsubRotated: {
    connection: string;
    generation: number;
    /** Messages the bridge delivered that the subscriber had missed while it reconnected. */
    bridged: number;
    /** Messages seen on both connections and delivered once. */
    duplicatesDropped: number;
    /** Messages delivered twice because both connections had them (counted, not prevented). */
    duplicatesDelivered: number;
  };
  /** The provider failed; connections keep their current credentials while those are valid. */
  providerError: { error: CredentialsProviderError };
  /** The binding started tracking a connection. */
  connectionAdded: { connection: string };
  /** A connection was closed by its owner; the binding stopped tracking it. */
  connectionRemoved: { connection: string };
  /** A listener of this emitter threw; the error is reported here instead of breaking the binding. */
  listenerError: { event: string; error: unknown };
}

export type RedisAuthEventName = keyof RedisAuthEvents;
