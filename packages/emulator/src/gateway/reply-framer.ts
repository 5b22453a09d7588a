import { ByteAccumulator } from './byte-accumulator';

/** One complete top-level reply (RESP2 or RESP3) located in the buffer it was returned with. */
export interface ReplyFrame {
  readonly start: number;
  readonly end: number;
  /** The first byte of the frame: `+ - : $ * % ~ > _ , # ( ! = |`. */
  readonly type: number;
  /** For an aggregate whose first element is a simple or bulk string: that string's offsets, else -1. */
  readonly headStart: number;
  readonly headEnd: number;
}

export interface FrameResult {
  readonly buffer: Buffer;
  readonly frames: ReplyFrame[];
}

/** Raised when the server→client stream is not RESP; the connection cannot continue. */
export class ReplyProtocolError extends Error {
  override readonly name = 'ReplyProtocolError';
}

const CR = 13;

/**
 * Incremental, resumable framer of the server→client stream. It reads only headers (types and
 * lengths) and skips payloads, so passing replies through costs a few byte reads per value.
 * Parse state (open aggregates) survives between chunks, so a large reply is never re-scanned.
 */
export class ReplyFramer {
  private readonly pending = new ByteAccumulator();
  /** Remaining item counts of the open aggregates of the incomplete frame. */
  private readonly stack: number[] = [];
  /** Where parsing resumes, relative to the start of the incomplete frame. */
  private resumeAt = 0;
  private frameType = -1;
  private awaitingHead = false;
  private headStart = -1;
  private headEnd = -1;

  push(chunk: Buffer): FrameResult {
    const buffer = this.pending.append(chunk);
    const frames: ReplyFrame[] = [];
    const stack = this.stack;
    let frameStart = 0;
    let position = this.resumeAt;
    while (position < buffer.length) {
      if (stack.length === 0) {
        frameStart = position;
        this.frameType = buffer[position];
        this.headStart = -1;
        this.headEnd = -1;
        this.awaitingHead = false;
      }
      const type = buffer[position];
      const lineEnd = findCr(buffer, position + 1);
      if (lineEnd === -1) break;
      let itemEnd = lineEnd + 2;
      if (itemEnd > buffer.length) break;
      let opened = 0;
      switch (type) {
        case 43: // + simple string
        case 45: // - error
        case 58: // : integer
        case 95: // _ null
        case 44: // , double
        case 35: // # boolean
        case 40: // ( big number
          break;
        case 36: // $ bulk string
        case 33: // ! bulk error
        case 61: {
          // = verbatim string
          const length = parseLength(buffer, position + 1, lineEnd);
          if (length >= 0) {
            itemEnd = lineEnd + 2 + length + 2;
          }
          break;
        }
        case 42: // * array
        case 126: // ~ set
        case 62: // > push
          opened = parseLength(buffer, position + 1, lineEnd);
          break;
        case 37: // % map
          opened = 2 * parseLength(buffer, position + 1, lineEnd);
          break;
        case 124: {
          // | attribute: a map that precedes the value it describes, which follows as one more item
          if (stack.length === 0) stack.push(2);
          else stack[stack.length - 1]++;
          opened = 2 * parseLength(buffer, position + 1, lineEnd);
          break;
        }
        default:
          throw new ReplyProtocolError(`unexpected reply type byte 0x${type.toString(16)}`);
      }
      if (itemEnd > buffer.length) break;
      if (this.awaitingHead && stack.length === 1) {
        if (type === 36 || type === 43) {
          this.headStart = type === 36 ? lineEnd + 2 : position + 1;
          this.headEnd = type === 36 ? itemEnd - 2 : lineEnd;
        }
        this.awaitingHead = false;
      }
      position = itemEnd;
      if (opened > 0) {
        if (stack.length === 0 && type !== 124) this.awaitingHead = true;
        stack.push(opened);
        continue;
      }
      // A scalar (or empty aggregate) completed: close every aggregate it completes.
      let frameDone = stack.length === 0;
      while (stack.length > 0) {
        if (--stack[stack.length - 1] > 0) break;
        stack.pop();
        if (stack.length === 0) frameDone = true;
      }
      if (frameDone) {
        frames.push({
          start: frameStart,
          end: position,
          type: this.frameType,
          headStart: this.headStart,
          headEnd: this.headEnd,
        });
        frameStart = position;
      }
    }
    this.pending.consume(frameStart);
    this.resumeAt = position - frameStart;
    return { buffer, frames };
  }
}

function findCr(buffer: Buffer, from: number): number {
  return buffer.indexOf(CR, from);
}

function parseLength(buffer: Buffer, from: number, to: number): number {
  if (to === from) throw new ReplyProtocolError('empty length in reply');
  let negative = false;
  let value = 0;
  let i = from;
  if (buffer[i] === 45) {
    negative = true;
    i++;
  }
  for (; i < to; i++) {
    const byte = buffer[i];
    if (byte < 48 || byte > 57) throw new ReplyProtocolError('invalid length in reply');
    value = value * 10 + (byte - 48);
  }
  return negative ? -value : value;
}
