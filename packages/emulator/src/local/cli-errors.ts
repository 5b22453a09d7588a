import { CliUsageError, FLAG_OF_OPTION } from './cli-args';
import { LocalAzureRedisError, LocalAzureRedisErrorCode } from './local-azure-redis-error';
import { TokenRequestError } from './token-request';

/** Exit status for a bad command line. */
export const EXIT_USAGE = 2;
/** Exit status when the emulator cannot start or a token cannot be had. */
export const EXIT_FAILURE = 1;

/**
 * What the CLI tells the user about a failure, and its exit status. Built from codes, options and
 * ports only: component messages never carry a secret, and the client secret is never added.
 */
export function describeCliFailure(error: unknown): { message: string; exitCode: number } {
  if (error instanceof CliUsageError) {
    return { message: `${error.message}\nRun authx-emulator --help for the options.`, exitCode: EXIT_USAGE };
  }
  if (error instanceof LocalAzureRedisError) {
    const flag = error.option === undefined ? undefined : (FLAG_OF_OPTION[error.option] ?? error.option);
    switch (error.code) {
      case LocalAzureRedisErrorCode.REDIS_SERVER_MISSING:
        return {
          message:
            'redis-server was not found. Install it (e.g. `sudo apt-get install redis-server`) or set ' +
            `REDIS_SERVER_BIN to its path.\n(${error.message})`,
          exitCode: EXIT_FAILURE,
        };
      case LocalAzureRedisErrorCode.PORT_IN_USE:
        return {
          message: `port ${error.port} is already in use (${flag}). Choose another port, or leave ${flag} out to use a free one.`,
          exitCode: EXIT_FAILURE,
        };
      case LocalAzureRedisErrorCode.INVALID_OPTION:
        return { message: `${flag ?? 'an option'} is invalid: ${error.message}`, exitCode: EXIT_USAGE };
      default:
        return { message: `could not start: ${error.message}`, exitCode: EXIT_FAILURE };
    }
  }
  if (error instanceof TokenRequestError)
    return { message: `no token: ${error.message}`, exitCode: EXIT_FAILURE };
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
  return { message: `failed: ${reason}`, exitCode: EXIT_FAILURE };
}
