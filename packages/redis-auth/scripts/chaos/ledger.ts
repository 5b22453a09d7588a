// Every command outcome and every numbered message of a run, kept in preallocated typed arrays:
// bounded (a full ledger refuses more) and off the JS heap, so they do not move the heap figures.
import { ErrorReply } from 'redis';

const PENDING = 0;
const OK = 1;
const FAILED = 2;

/**
 * A short, stable name for an error: a server reply's first word (`WRONGPASS`, `NOAUTH`), else the
 * class name (node-redis' errors keep `name` 'Error': `TimeoutError`, `SocketClosedUnexpectedlyError`).
 */
export function errorKind(error: unknown): string {
  if (error instanceof ErrorReply) return error.message.split(' ', 1)[0] || 'ErrorReply';
  if (!(error instanceof Error)) return typeof error;
  if (error.name !== 'Error') return error.name;
  const className = error.constructor?.name;
  return className && className !== 'Error' ? className : error.message.slice(0, 40);
}

export interface CommandRecord {
  readonly client: number;
  readonly startMs: number;
  /** Infinity while pending. */
  readonly endMs: number;
  readonly ok: boolean;
  readonly pending: boolean;
  readonly error: string | undefined;
  /** The server answered with an error (so the connection was alive). */
  readonly reply: boolean;
}

export class CommandLedger {
  readonly #startMs: Float64Array;
  readonly #endMs: Float64Array;
  readonly #client: Uint8Array;
  readonly #status: Uint8Array;
  readonly #errorKind: Uint16Array;
  readonly #reply: Uint8Array;
  readonly #errorKinds: string[] = [];
  readonly #errorIndex = new Map<string, number>();
  #count = 0;
  #pending = 0;
  /** Commands not issued because the ledger was full. */
  refused = 0;
  /** Settled so far. */
  ok = 0;
  failed = 0;

  constructor(readonly capacity: number) {
    this.#startMs = new Float64Array(capacity);
    this.#endMs = new Float64Array(capacity);
    this.#client = new Uint8Array(capacity);
    this.#status = new Uint8Array(capacity);
    this.#errorKind = new Uint16Array(capacity);
    this.#reply = new Uint8Array(capacity);
  }

  get count(): number {
    return this.#count;
  }

  get pending(): number {
    return this.#pending;
  }

  /** Records a command about to be sent; -1 (and nothing recorded) when the ledger is full. */
  begin(client: number, nowMs: number): number {
    if (this.#count >= this.capacity) {
      this.refused++;
      return -1;
    }
    const index = this.#count++;
    this.#client[index] = client;
    this.#startMs[index] = nowMs;
    this.#pending++;
    return index;
  }

  succeed(index: number, nowMs: number): void {
    this.#settle(index, nowMs, OK);
  }

  fail(index: number, nowMs: number, error: unknown): void {
    const kind = errorKind(error);
    let code = this.#errorIndex.get(kind);
    if (code === undefined && this.#errorKinds.length < 0xffff) {
      code = this.#errorKinds.push(kind) - 1;
      this.#errorIndex.set(kind, code);
    }
    this.#errorKind[index] = code ?? 0;
    this.#reply[index] = error instanceof ErrorReply ? 1 : 0;
    this.#settle(index, nowMs, FAILED);
  }

  /** Tracks a command's promise: the outcome is recorded when it settles. */
  track(client: number, nowMs: () => number, send: () => Promise<unknown>): void {
    const index = this.begin(client, nowMs());
    if (index < 0) return;
    send().then(
      () => this.succeed(index, nowMs()),
      (error: unknown) => this.fail(index, nowMs(), error),
    );
  }

  forEach(visit: (record: CommandRecord) => void): void {
    for (let i = 0; i < this.#count; i++) {
      const status = this.#status[i];
      visit({
        client: this.#client[i]!,
        startMs: this.#startMs[i]!,
        endMs: status === PENDING ? Number.POSITIVE_INFINITY : this.#endMs[i]!,
        ok: status === OK,
        pending: status === PENDING,
        error: status === FAILED ? this.#errorKinds[this.#errorKind[i]!] : undefined,
        reply: this.#reply[i] === 1,
      });
    }
  }

  #settle(index: number, nowMs: number, status: number): void {
    if (this.#status[index] !== PENDING) return;
    this.#status[index] = status;
    this.#endMs[index] = nowMs;
    this.#pending--;
    if (status === OK) this.ok++;
    else this.failed++;
  }
}

// Message states (0: sequence number not used yet).
const PUBLISHING = 1;
const PUBLISHED = 2;
const PUBLISH_FAILED = 3;

export interface MessageRecord {
  readonly seq: number;
  readonly publishedAtMs: number;
  /** Subscribers the server delivered it to (PUBLISH's reply, capped at 255). */
  readonly receivers: number;
}

/** Sequence-numbered messages: when each was published, how many servers delivered it, how often it arrived. */
export class MessageLedger {
  readonly #publishedAtMs: Float64Array;
  readonly #state: Uint8Array;
  readonly #receivers: Uint8Array;
  readonly #deliveries: Uint8Array;
  #next = 0;
  /** Deliveries of this run's messages: all, and first ones. */
  delivered = 0;
  unique = 0;
  /** Messages that are not a sequence number of this run. */
  foreign = 0;
  refused = 0;

  constructor(readonly capacity: number) {
    this.#publishedAtMs = new Float64Array(capacity);
    this.#state = new Uint8Array(capacity);
    this.#receivers = new Uint8Array(capacity);
    this.#deliveries = new Uint8Array(capacity);
  }

  /** The next sequence number to publish, -1 when the ledger is full. */
  next(nowMs: number): number {
    if (this.#next >= this.capacity) {
      this.refused++;
      return -1;
    }
    const seq = this.#next++;
    this.#publishedAtMs[seq] = nowMs;
    this.#state[seq] = PUBLISHING;
    return seq;
  }

  published(seq: number, receivers: number): void {
    this.#state[seq] = PUBLISHED;
    this.#receivers[seq] = Math.min(255, Math.max(0, receivers));
  }

  publishFailed(seq: number): void {
    this.#state[seq] = PUBLISH_FAILED;
  }

  /** A message arrived at the subscriber. */
  deliver(text: string): void {
    const seq = Number(text);
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.#next) {
      this.foreign++;
      return;
    }
    this.delivered++;
    if (this.#deliveries[seq] === 0) this.unique++;
    this.#deliveries[seq] = Math.min(255, this.#deliveries[seq]! + 1);
  }

  /** Counts by publish outcome, and duplicates (every delivery after the first of a message). */
  counts(): {
    sent: number;
    published: number;
    publishFailed: number;
    publishPending: number;
    duplicates: number;
  } {
    let published = 0;
    let publishFailed = 0;
    let publishPending = 0;
    let duplicates = 0;
    for (let seq = 0; seq < this.#next; seq++) {
      const state = this.#state[seq];
      if (state === PUBLISHED) published++;
      else if (state === PUBLISH_FAILED) publishFailed++;
      else if (state === PUBLISHING) publishPending++;
      if (this.#deliveries[seq]! > 1) duplicates += this.#deliveries[seq]! - 1;
    }
    return { sent: this.#next, published, publishFailed, publishPending, duplicates };
  }

  /** Acknowledged messages (PUBLISH succeeded) not delivered yet. */
  missing(): number {
    let missing = 0;
    for (let seq = 0; seq < this.#next; seq++)
      if (this.#state[seq] === PUBLISHED && this.#deliveries[seq] === 0) missing++;
    return missing;
  }

  /** Visits every acknowledged message that never arrived. */
  forEachLost(visit: (record: MessageRecord) => void): void {
    for (let seq = 0; seq < this.#next; seq++) {
      if (this.#state[seq] !== PUBLISHED || this.#deliveries[seq] !== 0) continue;
      visit({ seq, publishedAtMs: this.#publishedAtMs[seq]!, receivers: this.#receivers[seq]! });
    }
  }
}
