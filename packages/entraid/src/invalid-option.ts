import { InvalidOptionError } from '@authx/token-core';

/**
 * The InvalidOptionError for `option`, naming the accepted values. token-core describes `received`
 * by type only, so a misplaced secret never lands in the message.
 */
export function invalidOption(option: string, accepted: string, received: unknown): InvalidOptionError {
  return new InvalidOptionError(option, accepted, received);
}
