import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { decodeJwt } from 'jose';
import type {
  AuthCommand,
  AuthRefusal,
  ConnectionHost,
  EvictionReason,
  GatewayConnectionInfo,
} from './connection-types';
import { parseHello } from './hello-command';
import { type ReplyFrame, ReplyFramer } from './reply-framer';
import { type Expectation, ReplyQueue } from './reply-queue';
import { REFUSED_USERNAME, REPLIES } from './replies';
import { type ParsedCommand, RequestParser } from './request-parser';
import { decodeValue, encodeCommand, encodeValue, nodeText, type RespNode } from './resp-value';
import { PUBSUB_MESSAGES, PUBSUB_VERBS, type PubSubVerb, Subscriptions } from './subscriptions';
import type { Principal } from './token-validator';

/** Commands parsed from one chunk, handled from `index` on (an AUTH check may pause them). */
interface Batch {
  readonly buffer: Buffer;
  readonly commands: ParsedCommand[];
  index: number;
}

/** Effect of an AUTH/HELLO queued inside MULTI, applied from its element of EXEC's reply. */
interface TransactionEffect {
  readonly index: number;
  readonly apply: (reply: RespNode | undefined) => void;
}

type ReplyCallback = (reply: RespNode | undefined) => void;

const SPECIAL_NAMES = new Set([
  'auth',
  'hello',
  'quit',
  'reset',
  'multi',
  'exec',
  'discard',
  ...PUBSUB_VERBS,
]);
// Only names of these lengths can be special (or `cluster`): others are forwarded unread.
const SPECIAL_NAME_LENGTHS = new Set([4, 5, 7, 9, 10, 11, 12]);
const MAX_HELD_BATCHES = 64;

/**
 * One client connection. Parses the client's commands and forwards them to its own backend
 * connection (raw slices, neighbours coalesced into one write); answers AUTH/HELLO and
 * unauthenticated commands itself; passes replies back byte for byte and in order. Closed at
 * token expiry (+ grace) unless a valid newer AUTH took effect.
 *
 * State is kept twice on purpose: "at send" is what redis-server will believe when it reaches
 * the next forwarded command (decides routing); "in effect" changes only when redis-server's
 * reply confirms it (identity, protocol, subscriptions).
 */
export class GatewayConnection {
  readonly createdAtMs: number;
  readonly remoteAddress: string;
  private readonly backendSocket: Socket;
  private readonly parser = new RequestParser();
  private readonly framer = new ReplyFramer();
  private readonly replies = new ReplyQueue();
  private readonly inbox: Batch[] = [];
  private waitingForAuth = false;
  private protocolError: string | undefined;
  private protocolErrorQueued = false;
  private closed = false;
  private pausedForBackend = false;
  private pausedForInbox = false;

  private authenticatedAtSend = false;
  private inMulti = false;
  private transactionLength = 0;
  private transactionEffects: TransactionEffect[] = [];

  private principal: Principal | undefined;
  private protocol: 2 | 3 = 2;
  private readonly subscriptions = new Subscriptions();
  private authCount = 0;
  private authFailedCount = 0;
  private expiryTimer: unknown;

  constructor(
    readonly id: number,
    private readonly client: Socket,
    private readonly host: ConnectionHost,
  ) {
    this.createdAtMs = host.clock.now();
    this.remoteAddress = `${client.remoteAddress ?? '?'}:${client.remotePort ?? '?'}`;
    client.setNoDelay(true);
    this.backendSocket = connect({ host: host.backend.host, port: host.backend.port });
    this.backendSocket.setNoDelay(true);
    client.on('data', (chunk: Buffer) => this.onClientData(chunk));
    client.on('drain', () => this.backendSocket.resume());
    client.on('error', () => this.close());
    client.on('close', () => this.close());
    this.backendSocket.on('data', (chunk: Buffer) => this.onBackendData(chunk));
    this.backendSocket.on('drain', () => {
      this.pausedForBackend = false;
      this.resumeClient();
    });
    this.backendSocket.on('error', () => this.close());
    // redis-server closed (QUIT, or it went away): let the replies already written reach the client.
    this.backendSocket.on('close', () => this.close({ graceful: true }));
  }

  info(): GatewayConnectionInfo {
    return {
      id: this.id,
      identity: this.principal?.oid,
      principal: this.principal,
      tokenExpiresAtMs: this.principal?.expiresAtMs,
      protocol: this.protocol,
      subscribed: this.subscriptions.active,
      authCount: this.authCount,
      authFailedCount: this.authFailedCount,
      remoteAddress: this.remoteAddress,
      createdAtMs: this.createdAtMs,
    };
  }

  /** Closes the connection at once (both sockets), reporting it as an eviction for `reason`. */
  evict(reason: EvictionReason): void {
    if (this.closed) return;
    this.host.evicted(this.info(), reason);
    this.close();
  }

  /** Closes both sockets; `graceful` lets replies already written reach the client first. */
  close(options: { graceful?: boolean } = {}): void {
    if (this.closed) return;
    this.closed = true;
    if (this.expiryTimer !== undefined) this.host.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (options.graceful) this.client.end();
    else this.client.destroy();
    this.backendSocket.destroy();
    this.host.closed(this.id);
  }

  // ─── client → backend ──────────────────────────────────────────────────────────────────

  private onClientData(chunk: Buffer): void {
    if (this.closed || this.protocolError !== undefined) return;
    const result = this.parser.push(chunk);
    if (result.commands.length > 0)
      this.inbox.push({ buffer: result.buffer, commands: result.commands, index: 0 });
    if (result.error !== undefined) {
      // Like redis-server: answer what came before the garbage, then the error, then close.
      this.protocolError = result.error;
      this.client.pause();
    }
    this.drainInbox();
  }

  private drainInbox(): void {
    this.backendSocket.cork();
    try {
      while (!this.waitingForAuth && this.inbox.length > 0 && !this.closed) {
        const batch = this.inbox[0];
        this.processBatch(batch);
        if (batch.index >= batch.commands.length) this.inbox.shift();
      }
    } finally {
      this.backendSocket.uncork();
    }
    if (this.waitingForAuth && this.inbox.length > MAX_HELD_BATCHES && !this.pausedForInbox) {
      this.pausedForInbox = true;
      this.client.pause();
    } else if (!this.waitingForAuth && this.pausedForInbox) {
      this.pausedForInbox = false;
      this.resumeClient();
    }
    const idle = !this.waitingForAuth && this.inbox.length === 0 && !this.closed;
    if (idle && this.protocolError !== undefined && !this.protocolErrorQueued) {
      this.protocolErrorQueued = true;
      this.reply(REPLIES.protocolError(this.protocolError), () => {
        this.host.evicted(this.info(), 'protocol-error');
        this.close({ graceful: true });
      });
    }
  }

  /** Handles the commands of `batch` from `batch.index`; stops when one has to wait for a token check. */
  private processBatch(batch: Batch): void {
    const { buffer, commands } = batch;
    let rawStart = -1;
    let rawEnd = -1;
    let forwarded = 0;
    const flushRaw = () => {
      if (rawStart >= 0) {
        this.writeBackend(buffer.subarray(rawStart, rawEnd));
        rawStart = -1;
      }
    };
    while (batch.index < commands.length && !this.waitingForAuth && !this.closed) {
      const command = commands[batch.index++];
      if (
        this.authenticatedAtSend &&
        !command.inline &&
        (!SPECIAL_NAME_LENGTHS.has(command.nameLength) || !this.isSpecial(command.args[0]))
      ) {
        // Hot path: forward the bytes as received, neighbours coalesced into one write.
        if (rawStart >= 0 && command.start === rawEnd) rawEnd = command.end;
        else {
          flushRaw();
          rawStart = command.start;
          rawEnd = command.end;
        }
        this.replies.push(null);
        if (this.inMulti) this.transactionLength++;
        forwarded++;
        continue;
      }
      flushRaw();
      this.route(command, buffer);
    }
    flushRaw();
    if (forwarded > 0) this.host.commandForwarded(forwarded);
  }

  private isSpecial(name: Buffer): boolean {
    const lower = name.toString('latin1').toLowerCase();
    return SPECIAL_NAMES.has(lower) || (lower === 'cluster' && this.host.rewriter !== undefined);
  }

  /** Everything but a plain forward: the gateway's own behaviour, command by command. */
  private route(command: ParsedCommand, buffer: Buffer): void {
    const args = command.args;
    const name = args[0].toString('latin1').toLowerCase();
    if (name === 'auth') this.routeAuth(args);
    else if (name === 'hello') this.routeHello(args);
    else if (!this.authenticatedAtSend) this.routeUnauthenticated(name);
    else {
      // Inline commands are re-serialised: the backend only ever receives RESP arrays.
      const bytes = command.inline ? encodeCommand(args) : buffer.subarray(command.start, command.end);
      this.forward(bytes, this.isSpecial(args[0]) ? this.expectationFor(name, args) : this.queued(null));
    }
  }

  /** What redis-server answers a client that has not authenticated (requirepass semantics). */
  private routeUnauthenticated(name: string): void {
    if (name === 'quit') this.reply(REPLIES.ok, () => this.close({ graceful: true }));
    else if (name === 'reset') this.reply(REPLIES.reset);
    else this.reply(name === 'exec' ? REPLIES.execNoAuth : REPLIES.noAuth);
  }

  /** Updates send-time state for a special command and says how its reply is to be read. */
  private expectationFor(name: string, args: Buffer[]): Expectation {
    switch (name) {
      case 'quit':
        return null;
      case 'reset':
        this.authenticatedAtSend = false;
        this.endTransaction();
        return { kind: 'handled', onReply: (buffer, frame) => this.onResetReply(buffer, frame) };
      case 'multi':
        if (!this.inMulti) {
          this.inMulti = true;
          this.transactionLength = 0;
          this.transactionEffects = [];
        }
        return null;
      case 'exec': {
        const effects = this.endTransaction();
        return effects.length === 0
          ? null
          : { kind: 'handled', onReply: (buffer, frame) => applyTransactionEffects(buffer, frame, effects) };
      }
      case 'discard':
        this.endTransaction();
        return null;
      case 'cluster':
        return this.queued(this.clusterExpectation(args[1]?.toString('latin1').toLowerCase()));
      default:
        return this.queued(this.pubSubExpectation(name as PubSubVerb, args.length - 1));
    }
  }

  /** Inside MULTI a command is only queued (+QUEUED): count it, and read nothing special. */
  private queued(expectation: Expectation): Expectation {
    if (!this.inMulti) return expectation;
    this.transactionLength++;
    return null;
  }

  private endTransaction(): TransactionEffect[] {
    const effects = this.transactionEffects;
    this.inMulti = false;
    this.transactionEffects = [];
    return effects;
  }

  private clusterExpectation(subcommand: string | undefined): Expectation {
    const rewriter = this.host.rewriter;
    if (!rewriter || (subcommand !== 'slots' && subcommand !== 'shards' && subcommand !== 'nodes'))
      return null;
    return {
      kind: 'handled',
      onReply: (buffer, frame) => {
        if (frame.type === 45 || frame.type === 33) return undefined;
        return encodeValue(rewriter.rewriteTopology(subcommand, decodeValue(buffer, frame.start)[0]));
      },
    };
  }

  private pubSubExpectation(verb: PubSubVerb, channels: number): Expectation {
    // SUBSCRIBE without channels is an arity error: one ordinary reply.
    if (!verb.includes('unsub') && channels === 0) return null;
    return { kind: 'pubsub', verb, remaining: channels > 0 ? channels : undefined };
  }

  private routeAuth(args: Buffer[]): void {
    if (args.length < 2 || args.length > 3) {
      this.replyOrForward(args.length < 2 ? REPLIES.authArity : REPLIES.syntax, args);
      return;
    }
    if (this.refuseInsideTransaction('AUTH')) return;
    const token = args[args.length - 1].toString('utf8');
    const username = args.length === 3 ? args[1].toString('utf8') : undefined;
    this.authenticate('AUTH', username, token, {
      accepted: (oid, password) => ['AUTH', oid, password],
      refused: () => ['AUTH', REFUSED_USERNAME, randomBytes(8).toString('hex')],
      onReply: (principal) => (reply) => this.onAuthReply(reply, principal),
    });
  }

  private routeHello(args: Buffer[]): void {
    const hello = parseHello(args);
    if (!hello.ok) {
      this.reply(hello.reply);
      return;
    }
    const { version, credentials, setName } = hello;
    if (credentials === undefined) {
      if (!this.authenticatedAtSend) this.reply(REPLIES.helloNoAuth);
      else this.forwardWithCallback(encodeCommand(args), this.helloReplyCallback(version, undefined));
      return;
    }
    if (this.refuseInsideTransaction('HELLO')) return;
    const protover = String(version);
    const tail = setName ? ['SETNAME', setName] : [];
    this.authenticate('HELLO', credentials.username, credentials.token, {
      accepted: (oid, password) => ['HELLO', protover, 'AUTH', oid, password, ...tail],
      refused: () => ['HELLO', protover, 'AUTH', REFUSED_USERNAME, randomBytes(8).toString('hex'), ...tail],
      onReply: (principal) => this.helloReplyCallback(version, principal),
    });
  }

  /**
   * ElastiCache / MemoryDB do not accept AUTH inside MULTI. The gateway sends redis-server an AUTH
   * it refuses while queueing (wrong arity), so the transaction is aborted at EXEC (EXECABORT) as
   * for any command refused in MULTI, and answers with its own error in its place.
   */
  private refuseInsideTransaction(command: AuthCommand): boolean {
    if (!this.inMulti || this.host.authInsideMulti !== 'refuse') return false;
    this.authFailed('inside-transaction', command);
    this.forward(encodeCommand(['AUTH']), { kind: 'handled', onReply: () => REPLIES.authInsideMulti });
    return true;
  }

  /**
   * Checks a token (asynchronously: later commands wait, in order), then forwards the command
   * rewritten to the principal's backend user — or, for a refused token on an authenticated
   * connection, a form redis-server refuses, so that Redis itself words the refusal in context
   * (WRONGPASS, queued inside MULTI, or "Can't execute" while RESP2-subscribed).
   */
  private authenticate(
    command: AuthCommand,
    username: string | undefined,
    token: string,
    forms: {
      accepted: (oid: string, password: string) => Array<string | Buffer>;
      refused: () => Array<string | Buffer>;
      onReply: (principal: Principal) => ReplyCallback;
    },
  ): void {
    this.waitingForAuth = true;
    // `AUTH <token>` means user `default` (never an oid) unless passwordOnlyUsername is 'oid'.
    const effectiveUsername =
      username ??
      (this.host.passwordOnlyUsername === 'oid' ? (unverifiedOid(token) ?? 'default') : 'default');
    this.host.validator
      .validate(effectiveUsername, token)
      .then(async (validation) => {
        if (this.closed) return;
        const refuse = (reason: AuthRefusal) => {
          this.authFailed(reason, command);
          if (this.authenticatedAtSend) this.forwardWithCallback(encodeCommand(forms.refused()), undefined);
          else this.reply(REPLIES.wrongPass);
        };
        if (!validation.ok) return refuse(validation.reason);
        const principal = validation.principal;
        // As on Azure: a valid token of a principal without an access policy is a wrong password.
        const policy = this.host.access.policyFor(principal.oid);
        if (!policy) return refuse('no-access-policy');
        try {
          await this.host.users.ensure(principal.oid, policy.permissions);
        } catch {
          if (this.closed) return;
          this.authFailed('backend-unavailable', command);
          this.reply(REPLIES.backendUnavailable);
          return;
        }
        if (this.closed) return;
        const bytes = encodeCommand(forms.accepted(principal.oid, this.host.users.internalPassword));
        this.forwardWithCallback(bytes, forms.onReply(principal));
        this.authenticatedAtSend = true;
      })
      .catch(() => this.close())
      .finally(() => {
        this.waitingForAuth = false;
        if (!this.closed) this.drainInbox();
      });
  }

  /** Forwards a rewritten command whose reply `callback` reads — from EXEC's reply when inside MULTI. */
  private forwardWithCallback(bytes: Buffer, callback: ReplyCallback | undefined): void {
    if (this.inMulti) {
      if (callback) this.transactionEffects.push({ index: this.transactionLength, apply: callback });
      this.transactionLength++;
      this.forward(bytes, null);
    } else if (callback) {
      this.forward(bytes, {
        kind: 'handled',
        onReply: (buffer, frame) => {
          callback(decodeValue(buffer, frame.start)[0]);
          return undefined;
        },
      });
    } else this.forward(bytes, null);
  }

  private onAuthReply(reply: RespNode | undefined, principal: Principal): void {
    if (reply?.marker === 43) this.applyPrincipal(principal, 'AUTH');
    else this.authFailed('refused-by-redis', 'AUTH');
  }

  private helloReplyCallback(version: 2 | 3 | undefined, principal: Principal | undefined): ReplyCallback {
    return (reply) => {
      const ok = reply !== undefined && (reply.marker === 37 || reply.marker === 42);
      if (ok && version !== undefined) this.protocol = version;
      if (!principal) return;
      if (ok) this.applyPrincipal(principal, 'HELLO');
      else this.authFailed('refused-by-redis', 'HELLO');
    };
  }

  private authFailed(reason: Parameters<ConnectionHost['authFailed']>[1], command: AuthCommand): void {
    this.authFailedCount++;
    this.host.authFailed(this.id, reason, command);
  }

  private applyPrincipal(principal: Principal, command: AuthCommand): void {
    this.principal = principal;
    this.authCount++;
    this.scheduleExpiry();
    this.host.authSucceeded(this.id, principal, command);
  }

  /** One precise timer per connection, at the token's expiry + grace. */
  private scheduleExpiry(): void {
    const clock = this.host.clock;
    if (this.expiryTimer !== undefined) clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const principal = this.principal;
    if (!principal) return;
    const deadlineMs = principal.evictAtMs ?? principal.expiresAtMs + this.host.evictionDelayMs;
    // Memorystore: an authenticated connection outlives its token.
    if (!Number.isFinite(deadlineMs)) return;
    const reason = principal.evictionReason ?? 'token-expired';
    const check = () => {
      this.expiryTimer = undefined;
      if (this.principal !== principal || this.closed) return;
      const remainingMs = deadlineMs - clock.now();
      // Timers may fire a millisecond early: never evict before the deadline.
      if (remainingMs > 0) this.expiryTimer = clock.setTimeout(check, remainingMs);
      else this.evict(reason);
    };
    this.expiryTimer = clock.setTimeout(check, Math.max(0, deadlineMs - clock.now()));
  }

  private onResetReply(buffer: Buffer, frame: ReplyFrame): undefined {
    if (frame.type === 43 && buffer.toString('latin1', frame.start + 1, frame.end - 2) === 'RESET') {
      this.principal = undefined;
      this.scheduleExpiry();
      this.protocol = 2;
      this.subscriptions.clear();
    }
    return undefined;
  }

  /** Answers `bytes` itself when unauthenticated; otherwise lets redis-server answer `args`. */
  private replyOrForward(bytes: Buffer, args: Buffer[]): void {
    if (this.authenticatedAtSend) this.forward(encodeCommand(args), this.queued(null));
    else this.reply(bytes);
  }

  private forward(bytes: Buffer, expectation: Expectation): void {
    this.writeBackend(bytes);
    this.replies.push(expectation);
    this.host.commandForwarded(1);
  }

  private writeBackend(bytes: Buffer): void {
    if (!this.backendSocket.write(bytes) && !this.pausedForBackend) {
      this.pausedForBackend = true;
      this.client.pause();
    }
  }

  private resumeClient(): void {
    if (!this.pausedForBackend && !this.pausedForInbox && this.protocolError === undefined)
      this.client.resume();
  }

  /** A reply of the gateway's own, delivered after every reply still owed before it. */
  private reply(bytes: Buffer, then?: () => void): void {
    if (this.replies.isEmpty) {
      this.writeClient(bytes);
      then?.();
    } else this.replies.push({ kind: 'synthetic', bytes, then });
  }

  // ─── backend → client ──────────────────────────────────────────────────────────────────

  private onBackendData(chunk: Buffer): void {
    if (this.closed) return;
    let result: ReturnType<ReplyFramer['push']>;
    try {
      result = this.framer.push(chunk);
    } catch {
      this.close();
      return;
    }
    const { buffer, frames } = result;
    let passStart = -1;
    let passEnd = -1;
    const flushPass = () => {
      if (passStart >= 0) {
        this.writeClient(buffer.subarray(passStart, passEnd));
        passStart = -1;
      }
    };
    this.client.cork();
    for (const frame of frames) {
      const replacement = this.onFrame(buffer, frame);
      if (replacement === undefined) {
        if (passStart < 0) passStart = frame.start;
        passEnd = frame.end;
      } else {
        flushPass();
        this.writeClient(replacement);
      }
      if (this.replies.peek()?.kind === 'synthetic') {
        flushPass();
        this.flushSynthetic();
      }
      if (this.closed) break;
    }
    flushPass();
    this.client.uncork();
    this.replies.compact();
  }

  /** Settles what a frame answers; returns bytes to send instead, or undefined to pass it through. */
  private onFrame(buffer: Buffer, frame: ReplyFrame): Buffer | undefined {
    const type = frame.type;
    if (type === 62) {
      // RESP3 push: out of band, except that (un)subscribe confirmations settle (un)subscribe commands.
      const kind = headText(buffer, frame);
      if (kind !== undefined && PUBSUB_VERBS.has(kind))
        this.onConfirmation(kind as PubSubVerb, buffer, frame);
      return undefined;
    }
    if (
      type === 42 &&
      this.protocol === 2 &&
      frame.headStart >= 0 &&
      (this.subscriptions.active || this.replies.peek()?.kind === 'pubsub')
    ) {
      // RESP2 pub/sub: messages and confirmations are arrays named by their first element.
      const kind = headText(buffer, frame);
      if (kind !== undefined && PUBSUB_MESSAGES.has(kind)) return undefined;
      if (kind !== undefined && PUBSUB_VERBS.has(kind)) {
        this.onConfirmation(kind as PubSubVerb, buffer, frame);
        return undefined;
      }
    }
    // An in-band reply answers the oldest command still owed one.
    const expectation = this.replies.shift();
    let replacement = expectation?.kind === 'handled' ? expectation.onReply(buffer, frame) : undefined;
    if (type === 45 && replacement === undefined && this.host.rewriter) {
      const first = buffer[frame.start + 1];
      if (first === 77 || first === 65) {
        const rewritten = this.host.rewriter.rewriteRedirection(
          buffer.toString('latin1', frame.start + 1, frame.end - 2),
        );
        if (rewritten !== undefined) replacement = Buffer.from(`-${rewritten}\r\n`);
      }
    }
    return replacement;
  }

  private onConfirmation(verb: PubSubVerb, buffer: Buffer, frame: ReplyFrame): void {
    const [node] = decodeValue(buffer, frame.start);
    const head = this.replies.peek();
    if (head?.kind === 'pubsub' && head.verb === verb) {
      // Unsubscribe-all confirms each subscription it drops, or once when there was none.
      head.remaining ??= Math.max(1, this.subscriptions.count(verb));
      head.remaining--;
      if (head.remaining <= 0) this.replies.shift();
    }
    this.subscriptions.confirm(verb, nodeText(node.items?.[1]));
  }

  private flushSynthetic(): void {
    let head = this.replies.peek();
    while (head?.kind === 'synthetic' && !this.closed) {
      this.replies.shift();
      this.writeClient(head.bytes);
      head.then?.();
      head = this.replies.peek();
    }
  }

  private writeClient(bytes: Buffer): void {
    if (!this.client.write(bytes)) this.backendSocket.pause();
  }
}

function headText(buffer: Buffer, frame: ReplyFrame): string | undefined {
  if (frame.headStart < 0 || frame.headEnd - frame.headStart > 16) return undefined;
  return buffer.toString('latin1', frame.headStart, frame.headEnd).toLowerCase();
}

function applyTransactionEffects(buffer: Buffer, frame: ReplyFrame, effects: TransactionEffect[]): undefined {
  const [node] = decodeValue(buffer, frame.start);
  // A null (WATCH) or error (EXECABORT) reply means nothing queued ran.
  if (node.marker !== 42 || !node.items) return undefined;
  for (const effect of effects) effect.apply(node.items[effect.index]);
  return undefined;
}

/** The `oid` claim of a token, read without verification (verification follows). */
function unverifiedOid(token: string): string | undefined {
  try {
    const oid = decodeJwt(token)['oid'];
    return typeof oid === 'string' ? oid : undefined;
  } catch {
    return undefined;
  }
}
