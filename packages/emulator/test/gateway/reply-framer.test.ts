import fc from 'fast-check';
import { ReplyFramer, ReplyProtocolError } from '../../src/gateway/reply-framer';
import { decodeValue, encodeValue, type RespNode } from '../../src/gateway/resp-value';

const line = fc.stringMatching(/^[A-Za-z0-9 .:-]{0,20}$/);
const scalar: fc.Arbitrary<RespNode> = fc.oneof(
  line.map((text) => ({ marker: 43, text })),
  line.map((text) => ({ marker: 45, text: `ERR ${text}` })),
  fc.integer().map((n) => ({ marker: 58, text: String(n) })),
  fc.uint8Array({ maxLength: 30 }).map((bytes) => ({ marker: 36, data: Buffer.from(bytes) })),
  fc.constant<RespNode>({ marker: 36, data: null }),
  fc.constant<RespNode>({ marker: 95, text: '' }),
  fc.boolean().map((b) => ({ marker: 35, text: b ? 't' : 'f' })),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => ({ marker: 44, text: String(d) })),
);
const { value } = fc.letrec<{ value: RespNode }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc
      .tuple(fc.constantFrom(42, 126, 62), fc.array(tie('value'), { maxLength: 4 }))
      .map(([marker, items]) => ({ marker, items })),
    fc
      .array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 })
      .map((pairs) => ({ marker: 37, items: pairs.flat() })),
    fc
      .tuple(fc.array(fc.tuple(scalar, scalar), { minLength: 1, maxLength: 2 }), tie('value'))
      .map(([pairs, annotated]) => ({ marker: 124, items: pairs.flat(), annotated })),
    fc.constant<RespNode>({ marker: 42, items: null }),
  ),
}));

function frameAll(chunks: Buffer[]): Buffer[] {
  const framer = new ReplyFramer();
  const frames: Buffer[] = [];
  for (const chunk of chunks) {
    const { buffer, frames: found } = framer.push(chunk);
    for (const frame of found) frames.push(Buffer.from(buffer.subarray(frame.start, frame.end)));
  }
  return frames;
}

describe('ReplyFramer', () => {
  it('finds the same top-level replies however the stream is split (RESP2 and RESP3 types)', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (values, cuts) => {
          const encoded = values.map(encodeValue);
          const bytes = Buffer.concat(encoded);
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let previous = 0;
          for (const point of [...points, bytes.length]) {
            chunks.push(bytes.subarray(previous, point));
            previous = point;
          }
          const frames = frameAll(chunks);
          expect(frames.map((f) => f.toString('hex'))).toEqual(encoded.map((e) => e.toString('hex')));
          expect(frames.map((f) => decodeValue(f, 0)[0])).toEqual(values);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports the first element of an aggregate, for pub/sub classification', () => {
    const framer = new ReplyFramer();
    const { buffer, frames } = framer.push(
      Buffer.from('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n>2\r\n+pong\r\n$0\r\n\r\n'),
    );
    expect(frames.map((f) => buffer.toString('latin1', f.headStart, f.headEnd))).toEqual(['message', 'pong']);
  });

  it('throws ReplyProtocolError on a stream that is not RESP', () => {
    expect(() => new ReplyFramer().push(Buffer.from('?what\r\n'))).toThrow(ReplyProtocolError);
  });
});
