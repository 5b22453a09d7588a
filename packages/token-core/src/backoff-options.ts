import { MAX_TIMER_DELAY_MS } from './clock';
import { InvalidOptionError } from './errors';
import { numberOption } from './validate';

/** The four fields every exponential backoff of this package has. */
export interface BackoffFields {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly backoffMultiplier: number;
  readonly jitterPercentage: number;
}

/**
 * Validates the backoff fields of `options` (option names prefixed with `path`), filling in
 * `defaults`; `maxDelayMs` defaults to the larger of its default and `initialDelayMs`.
 */
export function resolveBackoffFields(
  path: string,
  options: Partial<BackoffFields>,
  defaults: BackoffFields,
  minDelayMs: number,
): BackoffFields {
  const range = { min: minDelayMs, max: MAX_TIMER_DELAY_MS };
  const initialDelayMs = numberOption(
    `${path}.initialDelayMs`,
    options.initialDelayMs,
    defaults.initialDelayMs,
    range,
  );
  const maxDelayMs = numberOption(
    `${path}.maxDelayMs`,
    options.maxDelayMs,
    Math.max(defaults.maxDelayMs, initialDelayMs),
    range,
  );
  if (maxDelayMs < initialDelayMs) {
    throw new InvalidOptionError(
      `${path}.maxDelayMs`,
      `a number at least ${path}.initialDelayMs (${initialDelayMs})`,
      maxDelayMs,
    );
  }
  return {
    initialDelayMs,
    maxDelayMs,
    backoffMultiplier: numberOption(
      `${path}.backoffMultiplier`,
      options.backoffMultiplier,
      defaults.backoffMultiplier,
      {
        min: 1,
        max: 100,
      },
    ),
    jitterPercentage: numberOption(
      `${path}.jitterPercentage`,
      options.jitterPercentage,
      defaults.jitterPercentage,
      {
        min: 0,
        max: 100,
      },
    ),
  };
}
