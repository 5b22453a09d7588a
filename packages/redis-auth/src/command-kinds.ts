import type { RedisArgs } from './redis-shapes';

/** What the binding needs to know about a command a user sends by hand. */
export type CommandKind = 'multi' | 'end-transaction' | 'blocking' | 'other';

/** Classifies a command by name; cheap enough to run on every command. */
export function commandKind(args: RedisArgs): CommandKind {
  const first = args[0];
  if (first === undefined) return 'other';
  const length = first.length;
  if (length < 4 || length > 10) return 'other';
  const name = (typeof first === 'string' ? first : first.toString('latin1')).toUpperCase();
  switch (name) {
    case 'MULTI':
      return 'multi';
    case 'EXEC':
    case 'DISCARD':
    case 'RESET':
      return 'end-transaction';
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
      return args.some((arg) => String(arg).toUpperCase() === 'BLOCK') ? 'blocking' : 'other';
    default:
      return 'other';
  }
}

/**
 * How long a blocking command may hold its connection, in milliseconds; `Infinity` for "block
 * forever" (timeout 0). Timeouts of list and sorted-set commands are in seconds, of XREAD BLOCK,
 * WAIT and WAITAOF in milliseconds.
 */
export function blockingTimeoutMs(args: RedisArgs): number {
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
    case 'XREADGROUP': {
      const index = args.findIndex((arg) => String(arg).toUpperCase() === 'BLOCK');
      return toMs(args[index + 1], 1);
    }
    case 'WAIT':
    case 'WAITAOF':
      return toMs(args[args.length - 1], 1);
    default:
      return toMs(args[args.length - 1], 1000);
  }
}
