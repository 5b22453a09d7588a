import { connect, type Socket } from 'node:net';
import { ReplyFramer } from './reply-framer';
import { decodeValue, encodeCommand, nodeText, toPlain } from './resp-value';

/** An error reply from redis-server to a command the gateway itself sent. */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
}

/** Address (and optional admin credentials) of a redis-server the gateway talks to. */
export interface BackendAddress {
  readonly host: string;
  readonly port: number;
  /** Username for the gateway's own admin connection; default: the `default` user. */
  readonly username?: string;
  /** Password for the gateway's own admin connection; default: none. */
  readonly password?: string;
}

/**
 * A minimal request/response RESP client for the gateway's own housekeeping (ACL users, cluster
 * setup). Commands are pipelined; replies are matched in order.
 */
export class AdminConnection {
  private readonly framer = new ReplyFramer();
  private readonly waiting: Array<{ resolve: (value: unknown) => void; reject: (error: Error) => void }> = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('admin connection to redis-server closed')));
  }

  static async open(address: BackendAddress): Promise<AdminConnection> {
    const socket = connect({ host: address.host, port: address.port });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const connection = new AdminConnection(socket);
    if (address.password !== undefined) {
      await connection.command(
        address.username === undefined
          ? ['AUTH', address.password]
          : ['AUTH', address.username, address.password],
      );
    }
    return connection;
  }

  command(args: ReadonlyArray<string | Buffer>): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    const { buffer, frames } = this.framer.push(chunk);
    for (const frame of frames) {
      const waiter = this.waiting.shift();
      if (!waiter) continue;
      const [node] = decodeValue(buffer, frame.start);
      if (node.marker === 45 || node.marker === 33)
        waiter.reject(new RedisReplyError(nodeText(node) ?? 'error'));
      else waiter.resolve(toPlain(node));
    }
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}
