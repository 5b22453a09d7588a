/** A command as its words: name first, then arguments. */
export type CommandArgs = ReadonlyArray<string | Buffer | number>;

/**
 * What a binding needs to know about a command a user sends by hand: whether it opens or ends a
 * transaction, resets the connection's identity, or may block the connection (an AUTH written
 * behind it waits for it). Client-independent: the node-redis and ioredis bindings share it.
 */
export type CommandKind = 'multi' | 'end-transaction' | 'reset' | 'blocking' | 'other';

/** Classifies a command by name; cheap enough to run on every command. */
export function commandKind(args: CommandArgs): CommandKind {
  const first = args[0];
  if (first === undefined || typeof first === 'number') return 'other';
  const length = first.length;
  if (length < 4 || length > 10) return 'other';
  const name = (typeof first === 'string' ? first : first.toString('latin1')).toUpperCase();
  switch (name) {
    case 'MULTI':
      return 'multi';
    case 'EXEC':
    case 'DISCARD':
      return 'end-transaction';
    case 'RESET':
      return 'reset';
    case 'BLPOP':
    case 'BRPOP':
    case 'BRPOPLPUSH':
    case 'BLMOVE':
    case 'BLMPOP':
    case 'BZPOPMIN':
    case 'BZPOPMAX':
    case 'BZMPOP':
    case 'WAIT':
    case 'WAITAOF':
      return 'blocking';
    case 'XREAD':
    case 'XREADGROUP':
      return blockOptionIndex(args) === -1 ? 'other' : 'blocking';
    default:
      return 'other';
  }
}

/**
 * How long a blocking command may hold its connection, in milliseconds; `Infinity` for "block
 * forever" (timeout 0). Timeouts of list and sorted-set commands are in seconds, of XREAD BLOCK,
 * WAIT and WAITAOF in milliseconds.
 */
export function blockingTimeoutMs(args: CommandArgs): number {
  const name = String(args[0]).toUpperCase();
  const toMs = (value: unknown, unitMs: number): number => {
    const n = Number(String(value));
    if (!Number.isFinite(n) || n < 0) return Number.POSITIVE_INFINITY;
    return n === 0 ? Number.POSITIVE_INFINITY : n * unitMs;
  };
  switch (name) {
    case 'BLMPOP':
    case 'BZMPOP':
      return toMs(args[1], 1000);
    case 'XREAD':
    case 'XREADGROUP':
      return toMs(args[blockOptionIndex(args) + 1], 1);
    case 'WAIT':
    case 'WAITAOF':
      return toMs(args[args.length - 1], 1);
    default:
      return toMs(args[args.length - 1], 1000);
  }
}

/**
 * Index of the BLOCK option of an XREAD / XREADGROUP, or -1: only options before STREAMS count
 * (a key or an ID named "block" after it is not the option).
 */
function blockOptionIndex(args: CommandArgs): number {
  for (let i = 1; i < args.length; i++) {
    const word = String(args[i]).toUpperCase();
    if (word === 'STREAMS') return -1;
    if (word === 'BLOCK') return i;
    // XREADGROUP GROUP <group> <consumer>: skip the two names (either could be "block").
    if (word === 'GROUP') i += 2;
    else if (word === 'COUNT') i += 1;
  }
  return -1;
}
