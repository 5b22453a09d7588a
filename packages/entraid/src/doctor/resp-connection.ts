import type { Socket } from 'node:net';

/** Raised when the server closes the connection or does not answer in time. */
export class RespConnectionError extends Error {
  constructor(
    readonly code: 'CLOSED' | 'TIMEOUT' | 'NOT_RESP',
    message: string,
  ) {
    super(message);
    this.name = 'RespConnectionError';
  }
}

/**
 * One command at a time over a raw socket, reading the first line of the reply (enough for AUTH,
 * PING and error replies). The doctor talks RESP itself so each layer — DNS, TCP, TLS, AUTH — fails
 * on its own and it needs no Redis client.
 */
export class RespConnection {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #closed = false;
  #waiter: { resolve(line: string): void; reject(error: Error): void } | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#deliver();
    });
    const closed = () => {
      this.#closed = true;
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter?.reject(new RespConnectionError('CLOSED', 'the server closed the connection'));
    };
    socket.on('close', closed);
    socket.on('error', closed);
  }

  /** Sends `args` as a RESP array; resolves with the reply's first line (`+OK`, `-WRONGPASS …`). */
  command(args: readonly string[], timeoutMs: number): Promise<string> {
    if (this.#closed)
      return Promise.reject(new RespConnectionError('CLOSED', 'the server closed the connection'));
    let payload = `*${args.length}\r\n`;
    for (const arg of args) payload += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        reject(new RespConnectionError('TIMEOUT', `no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = {
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#socket.write(payload);
      this.#deliver();
    });
  }

  close(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #deliver(): void {
    if (!this.#waiter || this.#buffer.length === 0) return;
    const first = this.#buffer[0];
    // RESP replies start with one of these; anything else (a TLS alert, HTTP) is not Redis speaking.
    if (!'+-:$*_,#%~>(=!|'.includes(String.fromCharCode(first))) {
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter.reject(
        new RespConnectionError(
          'NOT_RESP',
          `the server answered with byte 0x${first.toString(16).padStart(2, '0')}, not RESP`,
        ),
      );
      return;
    }
    const end = this.#buffer.indexOf('\r\n');
    if (end < 0) return;
    const line = this.#buffer.subarray(0, end).toString('utf8');
    // Only first lines are read: drop the rest of the reply (bulk payloads are not used here).
    this.#buffer = Buffer.alloc(0);
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter.resolve(line);
  }
}
