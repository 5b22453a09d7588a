/**
 * The lifecycle of one bound Redis connection, as data: which credentials the server holds for it
 * and what the binding is doing about it. Client-independent — the node-redis and ioredis
 * bindings feed it the same events and apply the same transitions; only how they observe a
 * connection and send AUTH differs.
 *
 * `generation` is always what the SERVER has: the credentials generation the connection last
 * authenticated with, or `undefined` when unknown (not yet learnt, or logged back in as `default`
 * by a RESET). `target` is the generation the binding is moving it to.
 */
export type ConnectionState =
  /** No socket (never connected, closed, or between a drop and the reconnect). */
  | { readonly kind: 'closed'; readonly generation: number | undefined }
  /** Socket up, handshake running; `served` is what the binding handed to this handshake. */
  | {
      readonly kind: 'handshaking';
      readonly served: number | undefined;
      readonly previous: number | undefined;
    }
  /** Authenticated and idle as far as the binding is concerned. */
  | { readonly kind: 'ready'; readonly generation: number | undefined; readonly failures: number }
  /** A transaction is open on it: the AUTH waits for EXEC / DISCARD. */
  | {
      readonly kind: 'deferred';
      readonly generation: number | undefined;
      readonly target: number;
      readonly failures: number;
    }
  /** AUTH sent, reply pending. `superseded`: a RESET was sent after it, so it will not stick. */
  | {
      readonly kind: 'authenticating';
      readonly generation: number | undefined;
      readonly target: number;
      readonly failures: number;
      readonly superseded: boolean;
    }
  /** A RESP2 subscriber being moved onto fresh credentials make-before-break. */
  | {
      readonly kind: 'rotating';
      readonly generation: number | undefined;
      readonly target: number;
      readonly failures: number;
    }
  /** The last attempt failed transiently; the next waits for a backoff timer (`retry-due`). */
  | {
      readonly kind: 'backoff';
      readonly generation: number | undefined;
      readonly target: number;
      readonly failures: number;
    }
  /** The server refused `target`'s credentials (WRONGPASS / NOPERM): wait for newer ones. */
  | { readonly kind: 'rejected'; readonly generation: number | undefined; readonly target: number }
  /** No longer tracked (closed by its owner for good, unbound, or the binding disposed). */
  | { readonly kind: 'stopped' };

export type ConnectionStateKind = ConnectionState['kind'];

/** What happened to a connection. */
export type ConnectionEvent =
  /** A socket connected; its handshake comes next. */
  | { readonly type: 'connect' }
  /** The binding handed `generation` to this connection's handshake. */
  | { readonly type: 'handshake-served'; readonly generation: number }
  /** The handshake finished: the connection is usable. */
  | { readonly type: 'ready' }
  /** The socket went away (dropped, evicted, closed by its owner); a reconnect may follow. */
  | { readonly type: 'disconnected' }
  /**
   * Bring the connection onto `target` (the newest valid credentials; `undefined`: none valid).
   * `transactionOpen` and `subscribedResp2` describe the connection right now.
   * `keepSubscriberCredentials`: the server never closes an authenticated connection when its
   * credentials expire (the provider's `connectionsOutliveCredentials`), so a RESP2 subscriber —
   * which cannot send AUTH — that holds accepted credentials keeps them rather than being rotated
   * onto a new connection; it takes the newest at its next reconnect. One whose credentials are
   * unknown (an age limit was reached, a RESET) is still rotated. Default false.
   */
  | {
      readonly type: 'sync';
      readonly target: number | undefined;
      readonly transactionOpen: boolean;
      readonly subscribedResp2: boolean;
      readonly keepSubscriberCredentials?: boolean;
    }
  /** The AUTH (or rotation) succeeded; the server now holds `generation`. */
  | { readonly type: 'auth-succeeded'; readonly generation: number }
  /** The AUTH (or rotation) failed: `refused` = the server refused these credentials. */
  | { readonly type: 'auth-failed'; readonly refused: boolean }
  /** The backoff after a failure is over. */
  | { readonly type: 'retry-due' }
  /** A RESET was sent: the server logs the connection back in as `default`. */
  | { readonly type: 'identity-reset' }
  /** Tracking ends. */
  | { readonly type: 'stop' };

export const INITIAL_CONNECTION_STATE: ConnectionState = Object.freeze({
  kind: 'closed',
  generation: undefined,
});

/** The generation the server holds for a connection in `state` (`undefined`: unknown). */
export function serverGeneration(state: ConnectionState): number | undefined {
  switch (state.kind) {
    case 'stopped':
      return undefined;
    case 'handshaking':
      return state.served;
    default:
      return state.generation;
  }
}

/**
 * The one transition function (pure): the state after `event`. Returns `state` itself when the
 * event changes nothing, so a runner can compare by identity.
 */
export function nextConnectionState(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  if (state.kind === 'stopped') return state;
  switch (event.type) {
    case 'stop':
      return { kind: 'stopped' };
    case 'connect':
      return { kind: 'handshaking', served: undefined, previous: serverGeneration(state) };
    case 'handshake-served':
      return state.kind === 'handshaking' ? { ...state, served: event.generation } : state;
    case 'ready':
      if (state.kind === 'handshaking') return { kind: 'ready', generation: state.served, failures: 0 };
      // Found already connected (tracked mid-handshake or later): what it holds is unknown.
      if (state.kind === 'closed') return { kind: 'ready', generation: undefined, failures: 0 };
      return state;
    case 'disconnected':
      return state.kind === 'closed' ? state : { kind: 'closed', generation: serverGeneration(state) };
    case 'sync':
      return sync(state, event);
    case 'auth-succeeded':
      if (state.kind === 'authenticating') {
        return {
          kind: 'ready',
          generation: state.superseded ? undefined : event.generation,
          failures: 0,
        };
      }
      if (state.kind === 'rotating') return { kind: 'ready', generation: event.generation, failures: 0 };
      return state;
    case 'auth-failed':
      if (state.kind !== 'authenticating' && state.kind !== 'rotating') return state;
      if (event.refused) return { kind: 'rejected', generation: state.generation, target: state.target };
      return {
        kind: 'backoff',
        generation: state.generation,
        target: state.target,
        failures: state.failures + 1,
      };
    case 'retry-due':
      return state.kind === 'backoff'
        ? { kind: 'ready', generation: state.generation, failures: state.failures }
        : state;
    case 'identity-reset':
      if (state.kind === 'authenticating') return { ...state, superseded: true };
      if (state.kind === 'ready' || state.kind === 'deferred' || state.kind === 'backoff') {
        return { ...state, generation: undefined };
      }
      if (state.kind === 'rejected') return { kind: 'ready', generation: undefined, failures: 0 };
      return state;
  }
}

function sync(state: ConnectionState, event: Extract<ConnectionEvent, { type: 'sync' }>): ConnectionState {
  const target = event.target;
  if (target === undefined) return state;
  switch (state.kind) {
    case 'ready':
      if (state.generation === target || keepsCredentials(state.generation, event)) return state;
      return move(state.generation, target, state.failures, event);
    case 'deferred': {
      const next = move(state.generation, target, state.target === target ? state.failures : 0, event);
      return next.kind === 'deferred' && next.target === state.target ? state : next;
    }
    case 'rejected':
      return state.target === target ? state : move(state.generation, target, 0, event);
    case 'backoff':
      // Newer credentials than the ones that failed: no reason to wait.
      return state.target === target ? state : move(state.generation, target, 0, event);
    default:
      // closed / handshaking: the (re)connect handshake takes the newest credentials itself;
      // authenticating / rotating: re-evaluated when the attempt ends.
      return state;
  }
}

/** A RESP2 subscriber that may stay on the accepted credentials it holds (see `keepSubscriberCredentials`). */
function keepsCredentials(
  generation: number | undefined,
  event: Extract<ConnectionEvent, { type: 'sync' }>,
): boolean {
  return event.subscribedResp2 && event.keepSubscriberCredentials === true && generation !== undefined;
}

function move(
  generation: number | undefined,
  target: number,
  failures: number,
  event: Extract<ConnectionEvent, { type: 'sync' }>,
): ConnectionState {
  if (event.transactionOpen) return { kind: 'deferred', generation, target, failures };
  // A rotation that failed (backoff) or was refused needs no retry: the subscriber stays as it is.
  if (keepsCredentials(generation, event)) return { kind: 'ready', generation, failures: 0 };
  if (event.subscribedResp2) return { kind: 'rotating', generation, target, failures };
  return { kind: 'authenticating', generation, target, failures, superseded: false };
}
