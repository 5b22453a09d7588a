import { invalidOption } from './invalid-option';

/** A required non-empty string; `secret` options are never echoed (token-core describes by type). */
export function requiredString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0)
    throw invalidOption(option, 'a non-empty string', value);
  return value;
}

/** An optional non-empty string. */
export function optionalString(option: string, value: unknown): string | undefined {
  return value === undefined ? undefined : requiredString(option, value);
}

/** An optional function. */
export function optionalFunction<F>(option: string, value: unknown): F | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalidOption(option, 'a function', value);
  return value as F;
}

/** An optional object (not an array). */
export function optionalObject<O extends object>(option: string, value: unknown): O | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidOption(option, 'an object', value);
  return value as O;
}

/** Scopes given as one string or a non-empty array of non-empty strings; `fallback` when absent. */
export function scopesOption(option: string, value: unknown, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((s) => typeof s === 'string' && s.trim().length > 0)
  ) {
    throw invalidOption(
      option,
      'a non-empty array of non-empty scope strings, e.g. ["https://redis.azure.com/.default"]',
      value,
    );
  }
  return [...list];
}

/** One of the `accepted` literal values, or `fallback` when absent. */
export function oneOf<T extends string>(
  option: string,
  value: unknown,
  accepted: ReadonlyArray<T>,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(accepted as ReadonlyArray<string>).includes(value)) {
    throw invalidOption(option, `one of ${accepted.map((a) => `'${a}'`).join(', ')}`, value);
  }
  return value as T;
}
