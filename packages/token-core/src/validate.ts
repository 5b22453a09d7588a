import { InvalidOptionError } from './errors';

interface NumberRange {
  /** Smallest accepted value. */
  min: number;
  /** Largest accepted value; default no limit. */
  max?: number;
  /** When true, `min` itself is not accepted. */
  minExclusive?: boolean;
  integer?: boolean;
}

/** Returns `value ?? fallback` after checking it is a number within `range`; throws InvalidOptionError naming the option. */
export function numberOption(option: string, value: unknown, fallback: number, range: NumberRange): number {
  if (value === undefined) return fallback;
  const max = range.max ?? Number.POSITIVE_INFINITY;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (range.integer ? Number.isInteger(value) : Number.isFinite(value)) &&
    (range.minExclusive ? value > range.min : value >= range.min) &&
    value <= max;
  if (!ok) throw new InvalidOptionError(option, describeRange(range), value);
  return value as number;
}

/** Returns `value ?? fallback` after checking it is a function. */
export function functionOption<F extends (...args: any[]) => unknown>(
  option: string,
  value: unknown,
  fallback: F,
): F {
  if (value === undefined) return fallback;
  if (typeof value !== 'function') throw new InvalidOptionError(option, 'a function', value);
  return value as F;
}

/** Returns `value` after checking it is a function or absent. */
export function optionalFunctionOption<F extends (...args: any[]) => unknown>(
  option: string,
  value: unknown,
): F | undefined {
  return value === undefined ? undefined : functionOption<F>(option, value, value as F);
}

/** Checks that an options argument is an object (or absent). */
export function objectOption<O extends object>(option: string, value: unknown): Partial<O> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw new InvalidOptionError(option, 'an object', value);
  return value as Partial<O>;
}

function describeRange(range: NumberRange): string {
  const kind = range.integer ? 'an integer' : 'a finite number';
  const low = `${range.minExclusive ? 'greater than' : 'at least'} ${range.min}`;
  return range.max === undefined ? `${kind} ${low}` : `${kind} ${low} and at most ${range.max}`;
}
