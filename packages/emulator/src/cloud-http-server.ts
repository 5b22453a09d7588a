import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How a cloud credentials endpoint misbehaves on purpose; `false` = it works. */
export type EndpointOutage =
  | false
  /** Every connection is reset without an answer (the endpoint is down). */
  | 'reset'
  /** Answers this HTTP status (e.g. 500, 503, 403) with a small JSON error body. */
  | number;

/** A small HTTP server for the emulated cloud credential endpoints, with an outage switch. */
export class CloudHttpServer {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #outage: EndpointOutage = false;
  #requests = 0;
  #port = 0;

  constructor(
    handler: (request: IncomingMessage, response: ServerResponse) => void,
    private readonly errorBody: (status: number) => unknown,
  ) {
    this.#server = createServer((request, response) => {
      this.#requests++;
      const outage = this.#outage;
      if (outage === 'reset') {
        request.socket.destroy();
        return;
      }
      if (typeof outage === 'number') {
        const text = JSON.stringify(this.errorBody(outage));
        response.writeHead(outage, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
        });
        response.end(text);
        return;
      }
      handler(request, response);
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address();
    this.#port = typeof address === 'object' && address ? address.port : port;
  }

  get port(): number {
    return this.#port;
  }

  /** Requests received (outage answers included). */
  get requests(): number {
    return this.#requests;
  }

  setOutage(outage: EndpointOutage): void {
    if (
      outage !== false &&
      outage !== 'reset' &&
      !(Number.isInteger(outage) && outage >= 400 && outage <= 599)
    ) {
      throw new TypeError("outage must be false, 'reset' or an HTTP status 400–599");
    }
    this.#outage = outage;
  }

  get outage(): EndpointOutage {
    return this.#outage;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    if (this.#server.listening) await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
