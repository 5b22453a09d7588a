import { connect, type Socket } from 'node:net';
import { ReplyFramer } from '../../../src/gateway/reply-framer';

/**
 * A bare socket to the gateway for byte-level assertions: writes raw RESP, collects replies as
 * their wire text, and records when the server closed the connection.
 */
export class RawClient {
  readonly replies: string[] = [];
  closedAtMs: number | undefined;
  private readonly framer = new ReplyFramer();
  private waiters: Array<() => void> = [];
  readonly closed: Promise<number>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      const { buffer, frames } = this.framer.push(chunk);
      for (const frame of frames) this.replies.push(buffer.toString('latin1', frame.start, frame.end));
      this.notify();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.closedAtMs = Date.now();
        this.notify();
        resolve(this.closedAtMs);
      });
    });
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  /** Writes a command as a RESP array. */
  command(...args: string[]): this {
    this.socket.write(
      `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
    );
    return this;
  }

  write(bytes: string | Buffer): this {
    this.socket.write(bytes);
    return this;
  }

  /** Resolves with the first `count` replies once they arrived (or the connection closed). */
  async read(count: number): Promise<string[]> {
    while (this.replies.length < count && this.closedAtMs === undefined) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    return this.replies.slice(0, count);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}
