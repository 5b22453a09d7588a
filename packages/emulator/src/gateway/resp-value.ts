import { ReplyProtocolError } from './reply-framer';

/**
 * A decoded RESP2/RESP3 value that keeps its wire type, so that a rewritten reply is encoded
 * exactly as the server sent it (a map stays a map, a push stays a push).
 */
export interface RespNode {
  /** The type byte, e.g. 42 for `*`. */
  readonly marker: number;
  /** Line types (`+ - : _ , # (`): the text after the type byte. */
  text?: string;
  /** Length-prefixed types (`$ ! =`): the payload, null for `$-1`. */
  data?: Buffer | null;
  /** Aggregates (`* ~ > % |`): the elements (a map's keys and values alternate), null for `*-1`. */
  items?: RespNode[] | null;
  /** For an attribute (`|`): the value it annotates. */
  annotated?: RespNode;
}

const CRLF = '\r\n';

/** Decodes one complete value at `start` (the framer has already checked that it is complete). */
export function decodeValue(buffer: Buffer, start: number): [RespNode, number] {
  const marker = buffer[start];
  const lineEnd = buffer.indexOf(13, start + 1);
  if (lineEnd === -1) throw new ReplyProtocolError('incomplete value');
  const line = buffer.toString('latin1', start + 1, lineEnd);
  let position = lineEnd + 2;
  switch (marker) {
    case 36:
    case 33:
    case 61: {
      const length = Number(line);
      if (length < 0) return [{ marker, data: null }, position];
      return [{ marker, data: buffer.subarray(position, position + length) }, position + length + 2];
    }
    case 42:
    case 126:
    case 62:
    case 37:
    case 124: {
      const count = Number(line);
      if (count < 0) return [{ marker, items: null }, position];
      const total = marker === 37 || marker === 124 ? 2 * count : count;
      const items: RespNode[] = [];
      for (let i = 0; i < total; i++) {
        const [item, next] = decodeValue(buffer, position);
        items.push(item);
        position = next;
      }
      if (marker === 124) {
        const [annotated, next] = decodeValue(buffer, position);
        return [{ marker, items, annotated }, next];
      }
      return [{ marker, items }, position];
    }
    default:
      return [{ marker, text: buffer.toString('utf8', start + 1, lineEnd) }, position];
  }
}

/** Encodes a value back to its wire form. */
export function encodeValue(node: RespNode): Buffer {
  const parts: Buffer[] = [];
  encodeInto(node, parts);
  return Buffer.concat(parts);
}

function encodeInto(node: RespNode, parts: Buffer[]): void {
  const type = String.fromCharCode(node.marker);
  if (node.items !== undefined) {
    if (node.items === null) {
      parts.push(Buffer.from(`${type}-1${CRLF}`));
      return;
    }
    const count = node.marker === 37 || node.marker === 124 ? node.items.length / 2 : node.items.length;
    parts.push(Buffer.from(`${type}${count}${CRLF}`));
    for (const item of node.items) encodeInto(item, parts);
    if (node.annotated) encodeInto(node.annotated, parts);
    return;
  }
  if (node.data !== undefined) {
    if (node.data === null) {
      parts.push(Buffer.from(`${type}-1${CRLF}`));
      return;
    }
    parts.push(Buffer.from(`${type}${node.data.length}${CRLF}`), node.data, Buffer.from(CRLF));
    return;
  }
  parts.push(Buffer.from(`${type}${node.text ?? ''}${CRLF}`));
}

/** The text of a string-like node (simple, bulk, verbatim), else undefined. */
export function nodeText(node: RespNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (node.text !== undefined && (node.marker === 43 || node.marker === 45)) return node.text;
  if (node.data) return node.data.toString('utf8');
  return undefined;
}

/** Serialises a command as a RESP array of bulk strings. */
export function encodeCommand(args: ReadonlyArray<Buffer | string>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}${CRLF}`), bytes, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}

/** A RESP error reply line (`-MESSAGE\r\n`). */
export function errorReply(message: string): Buffer {
  return Buffer.from(`-${message}${CRLF}`);
}

/** Converts a decoded value into plain JS (strings, numbers, arrays, null) for admin commands. */
export function toPlain(node: RespNode): unknown {
  if (node.items !== undefined) return node.items === null ? null : node.items.map(toPlain);
  if (node.data !== undefined) return node.data === null ? null : node.data.toString('utf8');
  if (node.marker === 58) return Number(node.text);
  if (node.marker === 95) return null;
  return node.text;
}
