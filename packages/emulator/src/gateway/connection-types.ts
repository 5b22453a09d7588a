import type { AccessControl } from './access-policies';
import type { BackendUsers } from './backend-users';
import type { GatewayClock } from './clock';
import type { RespNode } from './resp-value';
import type { CredentialVerifier } from './credential-verifier';
import type { AuthFailureReason, Principal } from './token-validator';

/** Why the gateway closed a connection on its own. */
export type EvictionReason = 'token-expired' | 'max-age' | 'killed' | 'protocol-error' | 'access-revoked';

/**
 * Why an AUTH/HELLO was refused: a token check failed, the principal holds no access policy,
 * redis-server refused the command in its context (e.g. RESP2 subscribed), or the backend user
 * could not be prepared.
 */
export type AuthRefusal =
  | AuthFailureReason
  | 'no-access-policy'
  | 'refused-by-redis'
  | 'backend-unavailable'
  /** AUTH / HELLO AUTH inside MULTI, on a profile that refuses it (ElastiCache, MemoryDB). */
  | 'inside-transaction';

/** The command that carried a token. */
export type AuthCommand = 'AUTH' | 'HELLO';

/** What the gateway knows about one client connection (never its token). */
export interface GatewayConnectionInfo {
  readonly id: number;
  /** `oid` of the principal in effect; undefined before the first successful AUTH (and after RESET). */
  readonly identity: string | undefined;
  /** Claims of the token in effect (no token value). */
  readonly principal: Principal | undefined;
  /** When the token in effect expires (epoch ms); the connection is closed at this + clockToleranceMs + graceMs. */
  readonly tokenExpiresAtMs: number | undefined;
  readonly protocol: 2 | 3;
  /** True while subscribed to at least one channel, pattern or shard channel. */
  readonly subscribed: boolean;
  /** Successful AUTH / HELLO AUTH on this connection. */
  readonly authCount: number;
  /** Refused AUTH / HELLO AUTH on this connection. */
  readonly authFailedCount: number;
  /** `ip:port` of the client. */
  readonly remoteAddress: string;
  readonly createdAtMs: number;
}

/** Rewrites backend addresses to gateway addresses in cluster topology replies and redirections. */
export interface ReplyRewriter {
  /** Rewrites a `MOVED slot host:port` / `ASK …` error line (without `-`); undefined when unchanged. */
  rewriteRedirection(line: string): string | undefined;
  /** Rewrites the reply of `CLUSTER SLOTS|SHARDS|NODES`. */
  rewriteTopology(subcommand: 'slots' | 'shards' | 'nodes', reply: RespNode): RespNode;
}

/** What a connection needs from its gateway. */
export interface ConnectionHost {
  readonly validator: CredentialVerifier;
  /** `refuse`: AUTH / HELLO AUTH inside MULTI is answered with an error and aborts the transaction. */
  readonly authInsideMulti: 'queue' | 'refuse';
  /** Who may connect, with which ACL rules. */
  readonly access: AccessControl;
  readonly users: BackendUsers;
  readonly backend: { readonly host: string; readonly port: number };
  readonly clock: GatewayClock;
  /** Time after a token's `exp` before its connection is closed (clockToleranceMs + graceMs). */
  readonly evictionDelayMs: number;
  /** Username assumed for `AUTH <token>`: undefined means `default` (which never matches an oid). */
  readonly passwordOnlyUsername: 'oid' | undefined;
  /** Undefined outside a cluster gateway. */
  readonly rewriter: ReplyRewriter | undefined;
  commandForwarded(count: number): void;
  authSucceeded(connectionId: number, principal: Principal, command: AuthCommand): void;
  authFailed(connectionId: number, reason: AuthRefusal, command: AuthCommand): void;
  evicted(info: GatewayConnectionInfo, reason: EvictionReason): void;
  closed(connectionId: number): void;
}
