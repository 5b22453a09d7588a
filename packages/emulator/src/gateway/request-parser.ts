import { ByteAccumulator } from './byte-accumulator';

/** One command read from a client: where its bytes sit in the parse buffer, and its arguments. */
export interface ParsedCommand {
  /** Arguments, binary-safe (slices of the received bytes for RESP arrays). */
  readonly args: Buffer[];
  /** Length in bytes of the command name (the first argument), read without slicing it. */
  readonly nameLength: number;
  /** True for an inline command (`PING\r\n`); its bytes are re-serialised before forwarding. */
  readonly inline: boolean;
  /** Offset of the command's first byte in the `buffer` returned with it. */
  readonly start: number;
  /** Offset just past the command's last byte in that `buffer`. */
  readonly end: number;
}

/**
 * A RESP array command whose argument slices are only made when asked for: most commands are
 * forwarded as raw bytes and never need them.
 */
class ArrayCommand implements ParsedCommand {
  readonly inline = false;
  private sliced: Buffer[] | undefined;
  constructor(
    private readonly buffer: Buffer,
    readonly start: number,
    readonly end: number,
    private readonly argsStart: number,
    private readonly count: number,
    readonly nameLength: number,
  ) {}

  get args(): Buffer[] {
    if (this.sliced === undefined) {
      const args: Buffer[] = new Array(this.count);
      let position = this.argsStart;
      for (let i = 0; i < this.count; i++) {
        const [length, dataStart] = readInteger(this.buffer, position + 1, MAX_INLINE_BYTES, '') as [
          number,
          number,
        ];
        args[i] = this.buffer.subarray(dataStart, dataStart + length);
        position = dataStart + length + 2;
      }
      this.sliced = args;
    }
    return this.sliced;
  }
}

/** Result of one `push`: commands completed by the chunk and, if the stream is broken, why. */
export interface ParseResult {
  /** The buffer the commands' `start`/`end` offsets refer to. */
  readonly buffer: Buffer;
  readonly commands: ParsedCommand[];
  /** Redis' own wording after `-ERR Protocol error: `, when the stream cannot be parsed further. */
  readonly error?: string;
}

// Limits copied from redis-server 7 (networking.c) so that the gateway refuses what Redis refuses.
const MAX_INLINE_BYTES = 64 * 1024;
const MAX_MULTIBULK_LENGTH = 1024 * 1024;
const MAX_BULK_BYTES = 512 * 1024 * 1024;
const CR = 13;
const LF = 10;

class ProtocolError extends Error {}

/**
 * Incremental parser of the client→server RESP stream (arrays of bulk strings and inline
 * commands), tolerant of frames split at any byte. After a protocol error it stays broken.
 */
export class RequestParser {
  private readonly pending = new ByteAccumulator();
  /** Bytes the incomplete command at the head needs before parsing it again is worthwhile. */
  private neededBytes = 0;
  private broken: string | undefined;

  push(chunk: Buffer): ParseResult {
    if (this.broken !== undefined) return { buffer: chunk, commands: [], error: this.broken };
    const buffer = this.pending.append(chunk);
    const commands: ParsedCommand[] = [];
    if (buffer.length < this.neededBytes) return { buffer, commands };
    this.neededBytes = 0;
    let position = 0;
    try {
      while (position < buffer.length) {
        const command =
          buffer[position] === 42 ? this.parseArray(buffer, position) : parseInline(buffer, position);
        if (command === undefined) break;
        if (!(command as SkippedCommand).skipped) commands.push(command);
        position = command.end;
      }
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.broken = error.message;
      this.pending.consume(buffer.length);
      return { buffer, commands, error: error.message };
    }
    this.pending.consume(position);
    return { buffer, commands };
  }

  /** Parses `*N\r\n$L\r\n…` at `start`; undefined when more bytes are needed. */
  private parseArray(buffer: Buffer, start: number): ParsedCommand | SkippedCommand | undefined {
    const header = readInteger(buffer, start + 1, MAX_INLINE_BYTES, 'too big mbulk count string');
    if (header === undefined) return undefined;
    const [count, afterHeader] = header;
    if (count > MAX_MULTIBULK_LENGTH || Number.isNaN(count))
      throw new ProtocolError('invalid multibulk length');
    if (count <= 0) return { args: [], nameLength: 0, inline: false, start, end: afterHeader, skipped: true };
    let nameLength = 0;
    let position = afterHeader;
    for (let i = 0; i < count; i++) {
      if (position >= buffer.length) return this.needMore(start, position + 1);
      if (buffer[position] !== 36) {
        throw new ProtocolError(`expected '$', got '${String.fromCharCode(buffer[position])}'`);
      }
      const bulk = readInteger(buffer, position + 1, MAX_INLINE_BYTES, 'too big bulk count string');
      if (bulk === undefined) return this.needMore(start, position + 2);
      const [length, dataStart] = bulk;
      if (length < 0 || length > MAX_BULK_BYTES || Number.isNaN(length)) {
        throw new ProtocolError('invalid bulk length');
      }
      const dataEnd = dataStart + length;
      if (dataEnd + 2 > buffer.length) return this.needMore(start, dataEnd + 2);
      if (buffer[dataEnd] !== CR || buffer[dataEnd + 1] !== LF) {
        throw new ProtocolError('bulk string not terminated by CRLF');
      }
      if (i === 0) nameLength = length;
      position = dataEnd + 2;
    }
    return new ArrayCommand(buffer, start, position, afterHeader, count, nameLength);
  }

  private needMore(commandStart: number, neededEnd: number): undefined {
    this.neededBytes = neededEnd - commandStart;
    return undefined;
  }
}

/** An empty command (`*0`, blank inline line): consumed, never executed — as Redis does. */
interface SkippedCommand extends ParsedCommand {
  skipped: true;
}

/**
 * Reads a decimal integer terminated by CRLF at `position`; returns [value, offset after CRLF],
 * undefined when the line is incomplete, NaN as value when it is not an integer.
 */
function readInteger(
  buffer: Buffer,
  position: number,
  maxLineBytes: number,
  tooLongMessage: string,
): [number, number] | undefined {
  let negative = false;
  let value = 0;
  let digits = 0;
  let i = position;
  if (buffer[i] === 45) {
    negative = true;
    i++;
  }
  for (; i < buffer.length; i++) {
    const byte = buffer[i];
    if (byte >= 48 && byte <= 57) {
      value = value * 10 + (byte - 48);
      digits++;
      if (digits > 15) return [Number.NaN, 0];
      continue;
    }
    if (byte !== CR) return [Number.NaN, 0];
    if (i + 1 >= buffer.length) return undefined;
    if (buffer[i + 1] !== LF || digits === 0) return [Number.NaN, 0];
    return [negative ? -value : value, i + 2];
  }
  if (buffer.length - position > maxLineBytes) throw new ProtocolError(tooLongMessage);
  return undefined;
}

/** Parses an inline command line (`SET k "a b"\r\n`) with redis' sdssplitargs quoting rules. */
function parseInline(buffer: Buffer, start: number): ParsedCommand | SkippedCommand | undefined {
  const newline = buffer.indexOf(LF, start);
  if (newline === -1) {
    if (buffer.length - start > MAX_INLINE_BYTES) throw new ProtocolError('too big inline request');
    return undefined;
  }
  if (newline - start > MAX_INLINE_BYTES) throw new ProtocolError('too big inline request');
  const lineEnd = newline > start && buffer[newline - 1] === CR ? newline - 1 : newline;
  const args = splitArgs(buffer.subarray(start, lineEnd));
  if (args === undefined) throw new ProtocolError('unbalanced quotes in request');
  if (args.length === 0) return { args, nameLength: 0, inline: true, start, end: newline + 1, skipped: true };
  return { args, nameLength: args[0].length, inline: true, start, end: newline + 1 };
}

const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };

function isSpace(byte: number | undefined): boolean {
  return byte === 32 || byte === 10 || byte === 13 || byte === 9 || byte === 11 || byte === 12;
}

function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  if (byte >= 97 && byte <= 102) return byte - 87;
  if (byte >= 65 && byte <= 70) return byte - 55;
  return -1;
}

/** redis' sdssplitargs: whitespace-separated words, "double" (with \xHH escapes) and 'single' quotes. */
export function splitArgs(line: Buffer): Buffer[] | undefined {
  const args: Buffer[] = [];
  let i = 0;
  while (true) {
    while (i < line.length && isSpace(line[i])) i++;
    if (i >= line.length) return args;
    const bytes: number[] = [];
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const byte = line[i];
      if (inDouble) {
        if (byte === undefined) return undefined;
        if (
          byte === 92 &&
          line[i + 1] === 120 &&
          hexValue(line[i + 2] ?? 0) >= 0 &&
          hexValue(line[i + 3] ?? 0) >= 0 &&
          i + 3 < line.length
        ) {
          bytes.push(hexValue(line[i + 2]) * 16 + hexValue(line[i + 3]));
          i += 3;
        } else if (byte === 92 && i + 1 < line.length) {
          i++;
          bytes.push(ESCAPES[line[i]] ?? line[i]);
        } else if (byte === 34) {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return undefined;
          done = true;
        } else bytes.push(byte);
      } else if (inSingle) {
        if (byte === undefined) return undefined;
        if (byte === 92 && line[i + 1] === 39) {
          i++;
          bytes.push(39);
        } else if (byte === 39) {
          if (i + 1 < line.length && !isSpace(line[i + 1])) return undefined;
          done = true;
        } else bytes.push(byte);
      } else if (byte === undefined || isSpace(byte) || byte === 0) {
        done = true;
      } else if (byte === 34) inDouble = true;
      else if (byte === 39) inSingle = true;
      else bytes.push(byte);
      if (i < line.length) i++;
    }
    args.push(Buffer.from(bytes));
  }
}
