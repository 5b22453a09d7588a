import fc from 'fast-check';
import { RequestParser, splitArgs } from '../../src/gateway/request-parser';

interface Decoded {
  args: string[];
  inline: boolean;
}

/** Feeds `chunks` to a fresh parser and returns every command (args as hex) and the error, if any. */
function parseChunks(chunks: Buffer[]): { commands: Decoded[]; error?: string } {
  const parser = new RequestParser();
  const commands: Decoded[] = [];
  for (const chunk of chunks) {
    const result = parser.push(chunk);
    for (const command of result.commands) {
      commands.push({ args: command.args.map((arg) => arg.toString('hex')), inline: command.inline });
    }
    if (result.error !== undefined) return { commands, error: result.error };
  }
  return { commands };
}

function encodeArray(args: Uint8Array[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args)
    parts.push(Buffer.from(`$${arg.length}\r\n`), Buffer.from(arg), Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** Inline form that round-trips any bytes: each argument double-quoted, non-alphanumerics as \xHH. */
function encodeInline(args: Uint8Array[]): Buffer {
  const words = [...args].map((arg) => {
    let word = '"';
    for (const byte of arg) {
      const char = String.fromCharCode(byte);
      word += /[A-Za-z0-9]/.test(char) ? char : `\\x${byte.toString(16).padStart(2, '0')}`;
    }
    return `${word}"`;
  });
  return Buffer.from(`${words.join(' ')}\r\n`);
}

const argument = fc.uint8Array({ maxLength: 40 });
const command = fc.record({
  args: fc.array(argument, { minLength: 1, maxLength: 6 }),
  inline: fc.boolean(),
});

/** Splits `bytes` at the given cut points (any byte offsets). */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(previous, point));
    previous = point;
  }
  return chunks;
}

describe('RequestParser', () => {
  describe('property: chunking never changes what is parsed', () => {
    it('parses any pipeline of RESP arrays and inline commands the same, however it is split', () => {
      fc.assert(
        fc.property(
          fc.array(command, { minLength: 1, maxLength: 25 }),
          fc.array(fc.nat(), { maxLength: 40 }),
          (commands, cuts) => {
            const bytes = Buffer.concat(
              commands.map((c) => (c.inline ? encodeInline(c.args) : encodeArray(c.args))),
            );
            const expected = commands.map((c) => ({
              args: c.args.map((arg) => Buffer.from(arg).toString('hex')),
              inline: c.inline,
            }));
            expect(parseChunks([bytes])).toEqual({ commands: expected });
            expect(parseChunks(split(bytes, cuts))).toEqual({ commands: expected });
          },
        ),
        { numRuns: 300 },
      );
    });

    it('parses a pipeline fed one byte at a time', () => {
      fc.assert(
        fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), (commands) => {
          const bytes = Buffer.concat(
            commands.map((c) => (c.inline ? encodeInline(c.args) : encodeArray(c.args))),
          );
          const oneByOne = [...bytes].map((byte) => Buffer.from([byte]));
          expect(parseChunks(oneByOne).commands).toHaveLength(commands.length);
          expect(parseChunks(oneByOne)).toEqual(parseChunks([bytes]));
        }),
        { numRuns: 100 },
      );
    });

    it('reports the commands before a protocol error, then the error, however it is split', () => {
      fc.assert(
        fc.property(
          fc.array(command, { maxLength: 6 }),
          fc.array(fc.nat(), { maxLength: 10 }),
          (commands, cuts) => {
            const valid = Buffer.concat(
              commands.map((c) => (c.inline ? encodeInline(c.args) : encodeArray(c.args))),
            );
            const bytes = Buffer.concat([valid, Buffer.from('*1\r\n$x\r\n')]);
            const result = parseChunks(split(bytes, cuts));
            expect(result.commands).toHaveLength(commands.length);
            expect(result.error).toBe('invalid bulk length');
          },
        ),
        { numRuns: 100 },
      );
    });
  });

  describe('Redis wording of protocol errors', () => {
    it.each([
      ['*x\r\n', 'invalid multibulk length'],
      ['*2000000\r\n', 'invalid multibulk length'],
      ['*1\r\n+PING\r\n', "expected '$', got '+'"],
      ['*1\r\n$-5\r\n', 'invalid bulk length'],
      ['*1\r\n$4\r\nPINGxx', 'bulk string not terminated by CRLF'],
      ['SET "unbalanced\r\n', 'unbalanced quotes in request'],
      ['SET "a"b\r\n', 'unbalanced quotes in request'],
    ])('refuses %j with "%s"', (input, message) => {
      expect(parseChunks([Buffer.from(input)]).error).toBe(message);
    });

    it('refuses an inline line longer than 64 KiB without a newline', () => {
      expect(parseChunks([Buffer.alloc(70 * 1024, 'a')]).error).toBe('too big inline request');
    });

    it('stays broken after an error', () => {
      const parser = new RequestParser();
      expect(parser.push(Buffer.from('*x\r\n')).error).toBe('invalid multibulk length');
      expect(parser.push(Buffer.from('PING\r\n'))).toMatchObject({
        commands: [],
        error: 'invalid multibulk length',
      });
    });
  });

  describe('what Redis ignores', () => {
    it('skips empty arrays and blank inline lines', () => {
      expect(parseChunks([Buffer.from('*0\r\n\r\n*-1\r\nPING\r\n')]).commands).toEqual([
        { args: [Buffer.from('PING').toString('hex')], inline: true },
      ]);
    });

    it('accepts inline lines ended by a bare LF', () => {
      expect(parseChunks([Buffer.from('GET k\n')]).commands).toHaveLength(1);
    });
  });

  describe('splitArgs (sdssplitargs rules)', () => {
    it.each([
      ['a b  c', ['a', 'b', 'c']],
      ['"a b" \'c d\'', ['a b', 'c d']],
      ['"\\x41\\n"', ['A\n']],
      ["'it\\'s'", ["it's"]],
      ['""', ['']],
    ])('splits %j', (line, expected) => {
      expect(splitArgs(Buffer.from(line))?.map(String)).toEqual(expected);
    });
  });

  describe('large values', () => {
    it('parses a 1 MiB argument delivered in 1 KiB chunks', () => {
      const value = Buffer.alloc(1024 * 1024, 7);
      const bytes = encodeArray([Buffer.from('SET'), Buffer.from('k'), value]);
      const chunks = split(
        bytes,
        Array.from({ length: Math.ceil(bytes.length / 1024) }, (_, i) => i * 1024),
      );
      const { commands } = parseChunks(chunks);
      expect(commands).toHaveLength(1);
      expect(commands[0].args[2]).toBe(value.toString('hex'));
    });
  });
});
