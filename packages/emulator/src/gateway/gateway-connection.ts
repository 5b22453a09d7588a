import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { BackendUsers } from './backend-users';
import type { GatewayClock } from './clock';
import { decodeJwt } from 'jose';
import { type ReplyFrame, ReplyFramer } from './reply-framer';
import { REFUSED_USERNAME, REPLIES } from './replies';
import { type ParsedCommand, RequestParser } from './request-parser';
import { decodeValue, encodeCommand, encodeValue, nodeText, type RespNode } from './resp-value';
import type { AuthFailureReason, Principal, TokenValidator } from './token-validator';

/** Why the gateway closed a connection on its own. */
export type EvictionReason = 'token-expired' | 'killed' | 'protocol-error';

/** Why an AUTH/HELLO was refused: a token check, or redis-server refusing it in context. */
export type AuthRefusal = AuthFailureReason | 'refused-by-redis' | 'backend-unavailable';

/** The command that carried a token. */
export type AuthCommand = 'AUTH' | 'HELLO';

/** What the gateway knows about one client connection (never its token). */
export interface GatewayConnectionInfo {
  readonly id: number;
  /** `oid` of the authenticated principal; undefined before the first successful AUTH. */
  readonly identity: string | undefined;
  /** Claims of the token in effect (no token value). */
  readonly principal: Principal | undefined;
  /** When the token in effect expires (epoch ms); the connection is closed at this + graceMs. */
  readonly tokenExpiresAtMs: number | undefined;
  readonly protocol: 2 | 3;
  /** True while subscribed to at least one channel, pattern or shard channel. */
  readonly subscribed: boolean;
  /** Successful AUTH/HELLO AUTH on this connection. */
  readonly authCount: number;
  /** Refused AUTH/HELLO AUTH on this connection. */
  readonly authFailedCount: number;
  readonly remoteAddress: string;
  readonly createdAtMs: number;
}

/** What a connection needs from its gateway. */
export interface ConnectionHost {
  readonly validator: TokenValidator;
  readonly users: BackendUsers;
  readonly backend: { readonly host: string; readonly port: number };
  readonly clock: GatewayClock;
  readonly graceMs: number;
  /** Username assumed for `AUTH <token>`; undefined means `default` (which never matches an oid). */
  readonly passwordOnlyUsername: 'oid' | undefined;
  /** Rewrites addresses in cluster replies; undefined outside a cluster gateway. */
  readonly rewriter: ReplyRewriter | undefined;
  commandForwarded(count: number): void;
  authSucceeded(connection: GatewayConnection, principal: Principal, command: AuthCommand): void;
  authFailed(connection: GatewayConnection, reason: AuthRefusal, command: AuthCommand): void;
  evicted(connection: GatewayConnection, reason: EvictionReason): void;
  closed(connection: GatewayConnection): void;
}

/** Rewrites backend addresses to gateway addresses in cluster topology replies and redirections. */
export interface ReplyRewriter {
  /** Rewrites a `-MOVED slot host:port` / `-ASK …` error line; undefined when nothing changes. */
  rewriteRedirection(line: string): string | undefined;
  /** Rewrites the reply of `CLUSTER SLOTS|SHARDS|NODES`. */
  rewriteTopology(subcommand: 'slots' | 'shards' | 'nodes', reply: RespNode): RespNode;
}

type Handler = (buffer: Buffer, frame: ReplyFrame) => Buffer | undefined;
type PubSubVerb =
  | 'subscribe'
  | 'psubscribe'
  | 'ssubscribe'
  | 'unsubscribe'
  | 'punsubscribe'
  | 'sunsubscribe';

/** A reply the client is owed, in order. */
type Expectation =
  | null // forwarded command; reply passed through untouched (the hot path allocates nothing)
  | { readonly kind: 'handled'; readonly onReply: Handler }
  | { readonly kind: 'synthetic'; readonly bytes: Buffer; readonly then?: () => void }
  | { readonly kind: 'pubsub'; readonly verb: PubSubVerb; remaining: number | undefined };

interface Batch {
  readonly buffer: Buffer;
  readonly commands: ParsedCommand[];
  index: number;
}

/** Deferred effect of an AUTH/HELLO queued inside MULTI, applied from EXEC's reply. */
interface TransactionEffect {
  readonly index: number;
  readonly apply: (reply: RespNode | undefined) => void;
}

const PUBSUB_MESSAGES = new Set(['message', 'pmessage', 'smessage']);
const PUBSUB_VERBS = new Set<string>([
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);
// Command names the gateway must look at have these lengths; others are forwarded unread.
const SPECIAL_NAME_LENGTHS = new Set([4, 5, 7, 9, 10, 11, 12]);
const MAX_HELD_BATCHES = 64;

/**
 * One client connection: parses the client's commands, forwards them to its own backend
 * connection (raw slices, coalesced), answers AUTH/HELLO and unauthenticated commands itself, and
 * passes replies back in order. Closed at token expiry (+ grace) unless a valid newer AUTH landed.
 */
export class GatewayConnection {
  readonly createdAtMs: number;
  readonly remoteAddress: string;
  private readonly backendSocket: Socket;
  private readonly parser = new RequestParser();
  private readonly framer = new ReplyFramer();
  private readonly expectations: Expectation[] = [];
  private expectationsHead = 0;
  private readonly inbox: Batch[] = [];
  private blocked = false;
  private pendingProtocolError: string | undefined;
  private protocolErrorReplied = false;
  private isClosed = false;
  private pausedForBackend = false;
  private pausedForInbox = false;

  // Send-time state: what redis-server will believe when it reaches the next forwarded command.
  private authenticatedAtSend = false;
  private inMulti = false;
  private transactionLength = 0;
  private transactionEffects: TransactionEffect[] = [];

  // Reply-time state: what has taken effect.
  private principal: Principal | undefined;
  private protocol: 2 | 3 = 2;
  private readonly subscriptions = {
    channels: new Set<string>(),
    patterns: new Set<string>(),
    shardChannels: new Set<string>(),
  };
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
    this.backendSocket.on('end', () => this.close({ graceful: true }));
    this.backendSocket.on('close', () => this.close({ graceful: true }));
  }

  info(): GatewayConnectionInfo {
    const { channels, patterns, shardChannels } = this.subscriptions;
    return {
      id: this.id,
      identity: this.principal?.oid,
      principal: this.principal,
      tokenExpiresAtMs: this.principal?.expiresAtMs,
      protocol: this.protocol,
      subscribed: channels.size + patterns.size + shardChannels.size > 0,
      authCount: this.authCount,
      authFailedCount: this.authFailedCount,
      remoteAddress: this.remoteAddress,
      createdAtMs: this.createdAtMs,
    };
  }

  /** Closes the connection at once (both sockets), reporting `reason` as an eviction. */
  evict(reason: EvictionReason): void {
    if (this.isClosed) return;
    this.host.evicted(this, reason);
    this.close();
  }

  // ─── client → backend ────────────────────────────────────────────────────────────────────

  private onClientData(chunk: Buffer): void {
    if (this.isClosed || this.pendingProtocolError !== undefined) return;
    const result = this.parser.push(chunk);
    if (result.commands.length > 0) this.inbox.push({ buffer: result.buffer, commands: result.commands, index: 0 });
    if (result.error !== undefined) {
      this.pendingProtocolError = result.error;
      this.client.pause();
    }
    this.drainInbox();
  }

  private drainInbox(): void {
    const backend = this.backendSocket;
    backend.cork();
    try {
      while (!this.blocked && this.inbox.length > 0 && !this.isClosed) {
        const batch = this.inbox[0];
        this.processBatch(batch);
        if (batch.index >= batch.commands.length) this.inbox.shift();
      }
    } finally {
      backend.uncork();
    }
    if (this.blocked && this.inbox.length > MAX_HELD_BATCHES && !this.pausedForInbox) {
      this.pausedForInbox = true;
      this.client.pause();
    } else if (!this.blocked && this.pausedForInbox) {
      this.pausedForInbox = false;
      this.resumeClient();
    }
    if (!this.blocked && this.inbox.length === 0 && this.pendingProtocolError !== undefined && !this.isClosed) {
      const message = this.pendingProtocolError;
      if (!this.protocolErrorReplied) {
        this.protocolErrorReplied = true;
        this.reply(REPLIES.protocolError(message), () => {
          this.host.evicted(this, 'protocol-error');
          this.close({ graceful: true });
        });
      }
    }
  }

  /** Handles commands of `batch` from `batch.index`; stops early when a command must wait. */
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
    try {
      while (batch.index < commands.length && !this.blocked && !this.isClosed) {
        const command = commands[batch.index++];
        if (
          this.authenticatedAtSend &&
          !command.inline &&
          (!SPECIAL_NAME_LENGTHS.has(command.nameLength) || !this.isSpecial(command.args[0]))
        ) {
          // Hot path: forward the received bytes, coalescing neighbours into one write.
          if (rawStart >= 0 && command.start === rawEnd) rawEnd = command.end;
          else {
            flushRaw();
            rawStart = command.start;
            rawEnd = command.end;
          }
          this.expect(null);
          if (this.inMulti) this.transactionLength++;
          forwarded++;
          continue;
        }
        flushRaw();
        this.route(command, buffer);
      }
    } finally {
      flushRaw();
      if (forwarded > 0) this.host.commandForwarded(forwarded);
    }
  }

  private isSpecial(name: Buffer): boolean {
    const lower = name.toString('latin1').toLowerCase();
    return (
      lower === 'auth' ||
      lower === 'hello' ||
      lower === 'quit' ||
      lower === 'reset' ||
      lower === 'multi' ||
      lower === 'exec' ||
      lower === 'discard' ||
      PUBSUB_VERBS.has(lower) ||
      (lower === 'cluster' && this.host.rewriter !== undefined)
    );
  }

  /** Everything but a plain forward: the gateway's own behaviour, command by command. */
  private route(command: ParsedCommand, buffer: Buffer): void {
    const args = command.args;
    const name = args[0].toString('latin1').toLowerCase();
    if (name === 'auth') return this.routeAuth(args);
    if (name === 'hello') return this.routeHello(args);
    if (!this.authenticatedAtSend) {
      if (name === 'quit') return this.reply(REPLIES.ok, () => this.close({ graceful: true }));
      if (name === 'reset') return this.reply(REPLIES.reset);
      return this.reply(name === 'exec' ? REPLIES.execNoAuth : REPLIES.noAuth);
    }
    // Inline commands are re-serialised: the backend always receives RESP arrays.
    const bytes = command.inline ? encodeCommand(args) : buffer.subarray(command.start, command.end);
    const forward = (expectation: Expectation) => this.forwardBytes(bytes, expectation);
    if (!this.isSpecial(args[0])) {
      if (this.inMulti) this.transactionLength++;
      return forward(null);
    }
    switch (name) {
      case 'quit':
        return forward(null);
      case 'reset':
        this.authenticatedAtSend = false;
        this.inMulti = false;
        this.transactionEffects = [];
        return forward({ kind: 'handled', onReply: (buffer, frame) => this.onResetReply(buffer, frame) });
      case 'multi':
        if (!this.inMulti) {
          this.inMulti = true;
          this.transactionLength = 0;
          this.transactionEffects = [];
        }
        return forward(null);
      case 'exec': {
        const effects = this.transactionEffects;
        this.inMulti = false;
        this.transactionEffects = [];
        if (effects.length === 0) return forward(null);
        return forward({ kind: 'handled', onReply: (buffer, frame) => applyEffects(buffer, frame, effects) });
      }
      case 'discard':
        this.inMulti = false;
        this.transactionEffects = [];
        return forward(null);
      case 'cluster': {
        const sub = args[1]?.toString('latin1').toLowerCase();
        const rewriter = this.host.rewriter;
        if (this.inMulti || !rewriter || (sub !== 'slots' && sub !== 'shards' && sub !== 'nodes')) {
          if (this.inMulti) this.transactionLength++;
          return forward(null);
        }
        return forward({
          kind: 'handled',
          onReply: (buffer, frame) => {
            if (frame.type === 45 || frame.type === 33) return undefined;
            const [node] = decodeValue(buffer, frame.start);
            return encodeValue(rewriter.rewriteTopology(sub, node));
          },
        });
      }
      default: {
        // (un)subscribe family
        if (this.inMulti) {
          this.transactionLength++;
          return forward(null);
        }
        const verb = name as PubSubVerb;
        const channels = args.length - 1;
        if (!verb.includes('unsub') && channels === 0) return forward(null);
        return forward({ kind: 'pubsub', verb, remaining: channels > 0 ? channels : undefined });
      }
    }
  }

  private routeAuth(args: Buffer[]): void {
    if (args.length < 2) return this.replyOrForward(REPLIES.authArity, args);
    if (args.length > 3) return this.replyOrForward(REPLIES.syntax, args);
    const token = args[args.length - 1].toString('utf8');
    const username = args.length === 3 ? args[1].toString('utf8') : undefined;
    this.authenticate('AUTH', username, token, {
      accepted: (oid, password) => ['AUTH', oid, password],
      refused: () => ['AUTH', REFUSED_USERNAME, randomBytes(8).toString('hex')],
    });
  }

  private routeHello(args: Buffer[]): void {
    let version: number | undefined;
    if (args.length >= 2) {
      const text = args[1].toString('latin1');
      version = /^-?\d{1,18}$/.test(text) ? Number(text) : Number.NaN;
      if (Number.isNaN(version)) return this.reply(REPLIES.badProtocolVersion);
      if (version < 2 || version > 3) return this.reply(REPLIES.noProto);
    }
    let credentials: { username: string; token: string } | undefined;
    let setName: Buffer | undefined;
    for (let j = 2; j < args.length; j++) {
      const option = args[j].toString('latin1');
      const moreArgs = args.length - 1 - j;
      if (option.toLowerCase() === 'auth' && moreArgs >= 2) {
        credentials = { username: args[j + 1].toString('utf8'), token: args[j + 2].toString('utf8') };
        j += 2;
      } else if (option.toLowerCase() === 'setname' && moreArgs >= 1) {
        setName = args[j + 1];
        j++;
      } else return this.reply(REPLIES.helloSyntax(option));
    }
    const tail = setName ? ['SETNAME', setName] : [];
    if (credentials === undefined) {
      if (!this.authenticatedAtSend) return this.reply(REPLIES.helloNoAuth);
      const onHello = this.helloReplyHandler(version, undefined);
      if (this.inMulti) {
        this.recordEffect(onHello);
        return this.forwardBytes(encodeCommand(args), null);
      }
      return this.forwardBytes(encodeCommand(args), this.handled(onHello));
    }
    const protover = String(args[1]);
    this.authenticate('HELLO', credentials.username, credentials.token, {
      accepted: (oid, password) => ['HELLO', protover, 'AUTH', oid, password, ...tail],
      refused: () => ['HELLO', protover, 'AUTH', REFUSED_USERNAME, randomBytes(8).toString('hex'), ...tail],
      version,
    });
  }

  /**
   * Validates a token (asynchronously: later commands wait, in order), then forwards AUTH/HELLO
   * rewritten to the principal's backend user, or a refused form so that redis-server itself
   * words the refusal for the current context (MULTI, RESP2 pub/sub).
   */
  private authenticate(
    command: AuthCommand,
    username: string | undefined,
    token: string,
    forms: {
      accepted: (oid: string, password: string) => Array<string | Buffer>;
      refused: () => Array<string | Buffer>;
      version?: number;
    },
  ): void {
    this.blocked = true;
    // `AUTH <token>` means user `default` (never an oid) unless passwordOnlyUsername is 'oid'.
    const effectiveUsername =
      username ?? (this.host.passwordOnlyUsername === 'oid' ? (unverifiedOid(token) ?? 'default') : 'default');
    this.host.validator
      .validate(effectiveUsername, token)
      .then(async (validation) => {
        if (this.isClosed) return;
        if (!validation.ok) {
          this.authFailedCount++;
          this.host.authFailed(this, validation.reason, command);
          if (this.authenticatedAtSend) {
            if (this.inMulti) this.transactionLength++;
            this.forwardBytes(encodeCommand(forms.refused()), null);
          } else this.reply(REPLIES.wrongPass);
          return;
        }
        const principal = validation.principal;
        try {
          await this.host.users.ensure(principal.oid);
        } catch {
          if (this.isClosed) return;
          this.authFailedCount++;
          this.host.authFailed(this, 'backend-unavailable', command);
          this.reply(REPLIES.backendUnavailable);
          return;
        }
        if (this.isClosed) return;
        const bytes = encodeCommand(forms.accepted(principal.oid, this.host.users.internalPassword));
        const onReply =
          command === 'AUTH'
            ? (reply: RespNode | undefined) => this.onAuthReply(reply, principal, command)
            : this.helloReplyHandler(forms.version, principal);
        if (this.inMulti) {
          this.recordEffect(onReply);
          this.forwardBytes(bytes, null);
        } else {
          this.forwardBytes(bytes, this.handled(onReply));
        }
        this.authenticatedAtSend = true;
      })
      .catch(() => this.close())
      .finally(() => {
        this.blocked = false;
        if (!this.isClosed) this.drainInbox();
      });
  }

  private onAuthReply(reply: RespNode | undefined, principal: Principal, command: AuthCommand): void {
    if (reply && reply.marker === 43) this.applyPrincipal(principal, command);
    else {
      this.authFailedCount++;
      this.host.authFailed(this, 'refused-by-redis', command);
    }
  }

  private helloReplyHandler(version: number | undefined, principal: Principal | undefined) {
    return (reply: RespNode | undefined) => {
      const ok = reply !== undefined && (reply.marker === 37 || reply.marker === 42);
      if (ok && version !== undefined) this.protocol = version as 2 | 3;
      if (!principal) return;
      if (ok) this.applyPrincipal(principal, 'HELLO');
      else {
        this.authFailedCount++;
        this.host.authFailed(this, 'refused-by-redis', 'HELLO');
      }
    };
  }

  private handled(onReply: (reply: RespNode | undefined) => void): Expectation {
    return {
      kind: 'handled',
      onReply: (buffer, frame) => {
        onReply(decodeValue(buffer, frame.start)[0]);
        return undefined;
      },
    };
  }

  private recordEffect(apply: (reply: RespNode | undefined) => void): void {
    this.transactionEffects.push({ index: this.transactionLength, apply });
    this.transactionLength++;
  }

  private applyPrincipal(principal: Principal, command: AuthCommand): void {
    this.principal = principal;
    this.authCount++;
    this.scheduleExpiry();
    this.host.authSucceeded(this, principal, command);
  }

  private scheduleExpiry(): void {
    const clock = this.host.clock;
    if (this.expiryTimer !== undefined) clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const principal = this.principal;
    if (!principal) return;
    const deadlineMs = principal.expiresAtMs + this.host.graceMs;
    const check = () => {
      this.expiryTimer = undefined;
      if (this.principal !== principal || this.isClosed) return;
      const remainingMs = deadlineMs - clock.now();
      // Timers may fire a millisecond early; never evict before the deadline.
      if (remainingMs > 0) this.expiryTimer = clock.setTimeout(check, remainingMs);
      else this.evict('token-expired');
    };
    this.expiryTimer = clock.setTimeout(check, Math.max(0, deadlineMs - clock.now()));
  }

  private onResetReply(buffer: Buffer, frame: ReplyFrame): undefined {
    if (frame.type === 43 && buffer.toString('latin1', frame.start + 1, frame.end - 2) === 'RESET') {
      this.principal = undefined;
      this.scheduleExpiry();
      this.protocol = 2;
      for (const set of Object.values(this.subscriptions)) set.clear();
    }
    return undefined;
  }

  /** Answers `bytes` itself when unauthenticated; otherwise lets redis-server answer `args`. */
  private replyOrForward(bytes: Buffer, args: Buffer[]): void {
    if (this.authenticatedAtSend) this.forwardBytes(encodeCommand(args), null);
    else this.reply(bytes);
  }

  private forwardBytes(bytes: Buffer, expectation: Expectation): void {
    this.writeBackend(bytes);
    this.expect(expectation);
    this.host.commandForwarded(1);
  }

  private writeBackend(bytes: Buffer): void {
    if (!this.backendSocket.write(bytes) && !this.pausedForBackend) {
      this.pausedForBackend = true;
      this.client.pause();
    }
  }

  private resumeClient(): void {
    if (!this.pausedForBackend && !this.pausedForInbox && this.pendingProtocolError === undefined) {
      this.client.resume();
    }
  }

  private expect(expectation: Expectation): void {
    this.expectations.push(expectation);
  }

  /** A reply of the gateway's own, delivered after every reply still owed before it. */
  private reply(bytes: Buffer, then?: () => void): void {
    if (this.expectationsHead === this.expectations.length) {
      this.writeClient(bytes);
      then?.();
    } else this.expectations.push({ kind: 'synthetic', bytes, then });
  }

  // ─── backend → client ────────────────────────────────────────────────────────────────────

  private onBackendData(chunk: Buffer): void {
    if (this.isClosed) return;
    let result: ReturnType<ReplyFramer['push']>;
    try {
      result = this.framer.push(chunk);
    } catch {
      this.close();
      return;
    }
    const { buffer, frames } = result;
    const client = this.client;
    client.cork();
    let passStart = -1;
    let passEnd = -1;
    const flushPass = () => {
      if (passStart >= 0) {
        this.writeClient(buffer.subarray(passStart, passEnd));
        passStart = -1;
      }
    };
    for (const frame of frames) {
      const replacement = this.onFrame(buffer, frame);
      if (replacement === undefined) {
        if (passStart < 0) passStart = frame.start;
        passEnd = frame.end;
      } else {
        flushPass();
        this.writeClient(replacement);
      }
      if (this.headIsSynthetic()) {
        flushPass();
        this.flushSynthetic();
      }
      if (this.isClosed) break;
    }
    flushPass();
    client.uncork();
    this.compactExpectations();
  }

  /** Settles the expectation a frame answers; returns rewritten bytes or undefined to pass it. */
  private onFrame(buffer: Buffer, frame: ReplyFrame): Buffer | undefined {
    const type = frame.type;
    if (type === 62) {
      // RESP3 push: out of band, except that (un)subscribe confirmations settle (un)subscribe commands.
      const kind = headText(buffer, frame);
      if (kind !== undefined && PUBSUB_VERBS.has(kind)) this.onConfirmation(kind as PubSubVerb, buffer, frame);
      return undefined;
    }
    const head = this.peek();
    if (type === 42 && this.protocol === 2 && frame.headStart >= 0 && (this.isSubscribed() || head?.kind === 'pubsub')) {
      const kind = headText(buffer, frame);
      if (kind !== undefined && PUBSUB_MESSAGES.has(kind)) return undefined;
      if (kind !== undefined && PUBSUB_VERBS.has(kind)) {
        this.onConfirmation(kind as PubSubVerb, buffer, frame);
        return undefined;
      }
    }
    // In-band reply: it answers the oldest command still owed one.
    let replacement: Buffer | undefined;
    const expectation = this.shift();
    if (expectation && expectation.kind === 'handled') replacement = expectation.onReply(buffer, frame);
    if (type === 45 && this.host.rewriter && replacement === undefined) {
      const first = buffer[frame.start + 1];
      if (first === 77 || first === 65) {
        const line = buffer.toString('latin1', frame.start + 1, frame.end - 2);
        const rewritten = this.host.rewriter.rewriteRedirection(line);
        if (rewritten !== undefined) replacement = Buffer.from(`-${rewritten}\r\n`);
      }
    }
    return replacement;
  }

  private onConfirmation(verb: PubSubVerb, buffer: Buffer, frame: ReplyFrame): void {
    const [node] = decodeValue(buffer, frame.start);
    const name = nodeText(node.items?.[1]);
    const set = verb.endsWith('psubscribe')
      ? this.subscriptions.patterns
      : verb.endsWith('ssubscribe')
        ? this.subscriptions.shardChannels
        : this.subscriptions.channels;
    const head = this.peek();
    if (head?.kind === 'pubsub' && head.verb === verb) {
      head.remaining ??= Math.max(1, set.size);
      head.remaining--;
      if (head.remaining <= 0) this.shift();
    }
    if (name !== undefined) {
      if (verb.includes('unsub')) set.delete(name);
      else set.add(name);
    }
  }

  private isSubscribed(): boolean {
    const { channels, patterns, shardChannels } = this.subscriptions;
    return channels.size + patterns.size + shardChannels.size > 0;
  }

  private peek(): Expectation | undefined {
    return this.expectationsHead < this.expectations.length ? this.expectations[this.expectationsHead] : undefined;
  }

  private shift(): Expectation | undefined {
    if (this.expectationsHead >= this.expectations.length) return undefined;
    const expectation = this.expectations[this.expectationsHead];
    this.expectations[this.expectationsHead++] = null;
    return expectation;
  }

  private headIsSynthetic(): boolean {
    return this.peek()?.kind === 'synthetic';
  }

  private flushSynthetic(): void {
    let head = this.peek();
    while (head?.kind === 'synthetic' && !this.isClosed) {
      this.shift();
      this.writeClient(head.bytes);
      head.then?.();
      head = this.peek();
    }
  }

  private compactExpectations(): void {
    if (this.expectationsHead === this.expectations.length) {
      this.expectations.length = 0;
      this.expectationsHead = 0;
    } else if (this.expectationsHead > 1024) {
      this.expectations.splice(0, this.expectationsHead);
      this.expectationsHead = 0;
    }
  }

  private writeClient(bytes: Buffer): void {
    if (!this.client.write(bytes)) this.backendSocket.pause();
  }

  // ─── shutdown ────────────────────────────────────────────────────────────────────────────

  /** Closes both sockets; `graceful` lets already written replies reach the client first. */
  close(options: { graceful?: boolean } = {}): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (this.expiryTimer !== undefined) this.host.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (options.graceful) this.client.end();
    else this.client.destroy();
    this.backendSocket.destroy();
    this.host.closed(this);
  }
}

function headText(buffer: Buffer, frame: ReplyFrame): string | undefined {
  if (frame.headStart < 0 || frame.headEnd - frame.headStart > 16) return undefined;
  return buffer.toString('latin1', frame.headStart, frame.headEnd).toLowerCase();
}

function applyEffects(buffer: Buffer, frame: ReplyFrame, effects: TransactionEffect[]): undefined {
  const [node] = decodeValue(buffer, frame.start);
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
