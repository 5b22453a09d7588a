import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A TCP relay in front of a server: forwards bytes both ways and lets a test act at the exact
 * moment a client's command leaves it (`onClientData` runs before the chunk is forwarded), which
 * no client-side event reveals.
 */
export interface TcpRelay {
  readonly url: string;
  /** Connections accepted so far; a connection's index is the count before it was accepted. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Sees each chunk a client sends, with the index of its connection, before it is forwarded. */
  onClientData: ((connection: number, chunk: Buffer) => void) | undefined;
  stop(): Promise<void>;
}

export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let open = 0;
  const server = createServer((client) => {
    const index = accepted++;
    open++;
    const upstream = tcpConnect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (chunk) => {
      relay.onClientData?.(index, chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', () => {
      open--;
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const relay: TcpRelay = {
    url: `redis://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get open() {
      return open;
    },
    onClientData: undefined,
    stop() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return relay;
}
