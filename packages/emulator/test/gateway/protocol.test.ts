import fc from 'fast-check';
import { type EvictedEvent, type RedisGateway, type RedisServer, startRedisGateway } from '../../src';
import { startBackend } from './support/fixtures';
import { RawClient } from './support/raw-client';
import { OPEN_ACCESS, TokenFactory } from './support/token-factory';

const immediate = () => new Promise((resolve) => setImmediate(resolve));

function encode(args: Array<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

describe('startRedisGateway › request stream', () => {
  let tokens: TokenFactory;
  let server: RedisServer;
  let gateway: RedisGateway;
  const evictions: EvictedEvent[] = [];
  const raws: RawClient[] = [];

  async function open(port: number): Promise<RawClient> {
    const client = await RawClient.open(port);
    client.socket.setNoDelay(true);
    raws.push(client);
    return client;
  }

  /** A gateway connection that has already authenticated (its +OK is reply 0). */
  async function authenticated(): Promise<RawClient> {
    const { token, oid } = await tokens.mint();
    const client = await open(gateway.port);
    client.command('AUTH', oid, token);
    expect(await client.read(1)).toEqual(['+OK\r\n']);
    return client;
  }

  beforeAll(async () => {
    tokens = await TokenFactory.create();
    server = await startBackend();
    gateway = await startRedisGateway({
      jwks: tokens.jwks,
      ...OPEN_ACCESS,
      backend: { host: server.host, port: server.port },
    });
    gateway.on('evicted', (event) => evictions.push(event));
  });

  afterEach(() => {
    for (const client of raws.splice(0)) client.destroy();
  });

  afterAll(async () => {
    await gateway.stop();
    await server.stop();
  });

  describe('property: chunking is invisible', () => {
    const value = fc.uint8Array({ maxLength: 24 }).map((bytes) => Buffer.from(bytes));
    const key = fc.constantFrom('a', 'b', 'c');
    const command = fc.oneof(
      fc.tuple(key, value).map(([k, v]) => ({ args: ['SET', k, v], inline: false })),
      key.map((k) => ({ args: ['GET', k], inline: false })),
      fc.tuple(key, value).map(([k, v]) => ({ args: ['APPEND', k, v], inline: false })),
      key.map((k) => ({ args: ['STRLEN', k], inline: false })),
      value.map((v) => ({ args: ['ECHO', v], inline: false })),
      fc.constantFrom('PING', 'ECHO hello', 'PING "a b"').map((line) => ({ args: [line], inline: true })),
    );

    it('gives the same replies as redis-server for any pipeline split at any bytes', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(command, { minLength: 1, maxLength: 20 }),
          fc.array(fc.nat(), { maxLength: 12 }),
          async (commands, cuts) => {
            run++;
            // Same-length key prefixes keep replies identical while keeping the two runs apart.
            const render = (prefix: string) =>
              Buffer.concat(
                commands.map(({ args, inline }) => {
                  if (inline) return Buffer.from(`${args[0]}\r\n`);
                  const [name, k, ...rest] = args;
                  return encode(
                    name === 'ECHO' ? [name, k] : [name, `${prefix}${run}:${k as string}`, ...rest],
                  );
                }),
              );
            const direct = await open(server.port);
            direct.write(render('d'));
            const expected = await direct.read(commands.length);

            const viaGateway = await authenticated();
            const bytes = render('g');
            const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
            let previous = 0;
            for (const point of [...points, bytes.length]) {
              viaGateway.write(bytes.subarray(previous, point));
              previous = point;
              await immediate();
            }
            const replies = await viaGateway.read(commands.length + 1);
            expect(replies.slice(1)).toEqual(expected);
            direct.destroy();
            viaGateway.destroy();
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  describe('garbage', () => {
    it.each([
      ['a bad multibulk length', '*x\r\n'],
      ['a bad bulk header', '*1\r\n+PING\r\n'],
      ['unbalanced quotes', 'SET k "oops\r\n'],
    ])(
      'closes the connection with redis-server wording on %s; other connections keep working',
      async (_, garbage) => {
        const direct = await open(server.port);
        direct.write(`PING\r\n${garbage}`);
        const expected = await direct.read(2);
        await direct.closed;

        const bystander = await authenticated();
        const victim = await authenticated();
        victim.write(`PING\r\n${garbage}PING\r\n`);
        expect((await victim.read(3)).slice(1)).toEqual(expected);
        expect(expected[1]).toMatch(/^-ERR Protocol error: /);
        await victim.closed;
        expect(victim.replies).toHaveLength(3);
        expect(evictions.at(-1)).toMatchObject({ reason: 'protocol-error' });

        bystander.command('SET', 'still', 'working').command('GET', 'still');
        expect(await bystander.read(3)).toEqual(['+OK\r\n', '+OK\r\n', '$7\r\nworking\r\n']);
      },
    );

    it('answers the commands before the garbage, in order, even while an AUTH is being checked', async () => {
      const { token, oid } = await tokens.mint();
      const client = await open(gateway.port);
      client.write(
        Buffer.concat([
          encode(['AUTH', oid, token]),
          encode(['SET', 'x', '1']),
          Buffer.from('GET x\r\n*-x\r\n'),
        ]),
      );
      expect(await client.read(4)).toEqual([
        '+OK\r\n',
        '+OK\r\n',
        '$1\r\n1\r\n',
        '-ERR Protocol error: invalid multibulk length\r\n',
      ]);
      await client.closed;
    });

    it('closes an unauthenticated connection that sends garbage', async () => {
      const client = await open(gateway.port);
      client.write('*1\r\n$3\r\nGETx\r\n');
      expect(await client.read(1)).toEqual(['-ERR Protocol error: bulk string not terminated by CRLF\r\n']);
      await client.closed;
    });
  });

  describe('large values', () => {
    it('forwards a 4 MiB value written in small chunks and returns it intact', async () => {
      const client = await authenticated();
      const big = Buffer.alloc(4 * 1024 * 1024, 'z');
      const bytes = encode(['SET', 'big', big]);
      for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
        client.write(bytes.subarray(offset, offset + 64 * 1024));
      }
      client.command('GET', 'big');
      const [, ok, value] = await client.read(3);
      expect(ok).toBe('+OK\r\n');
      expect(value).toBe(`$${big.length}\r\n${big.toString('latin1')}\r\n`);
    });
  });
});
