import type { ReplyFrame } from './reply-framer';
import type { PubSubVerb } from './subscriptions';

/** Called with a reply frame; returns bytes to send instead, or undefined to pass the frame through. */
export type ReplyHandler = (buffer: Buffer, frame: ReplyFrame) => Buffer | undefined;

/** A reply the client is owed, in the order its commands arrived. */
export type Expectation =
  /** A forwarded command whose reply passes through untouched (the hot path allocates nothing). */
  | null
  /** A forwarded command whose reply the gateway reads (AUTH, HELLO, RESET, EXEC) or rewrites (CLUSTER). */
  | { readonly kind: 'handled'; readonly onReply: ReplyHandler }
  /** A reply the gateway writes itself (WRONGPASS, NOAUTH, protocol error), then runs `then`. */
  | { readonly kind: 'synthetic'; readonly bytes: Buffer; readonly then?: () => void }
  /** An (un)subscribe command: settled by `remaining` confirmations (unknown until it is next, for unsubscribe-all). */
  | { readonly kind: 'pubsub'; readonly verb: PubSubVerb; remaining: number | undefined };

/** FIFO of expectations with O(1) shift (a head index; the array is compacted now and then). */
export class ReplyQueue {
  private readonly items: Expectation[] = [];
  private head = 0;

  get isEmpty(): boolean {
    return this.head === this.items.length;
  }

  push(expectation: Expectation): void {
    this.items.push(expectation);
  }

  peek(): Expectation | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  shift(): Expectation | undefined {
    if (this.head >= this.items.length) return undefined;
    const expectation = this.items[this.head];
    this.items[this.head++] = null;
    return expectation;
  }

  /** Drops settled entries; call after a batch of replies. */
  compact(): void {
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    } else if (this.head > 1024) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }
}
