import { RedisServerStartError } from '../redis-server';
import { LocalAzureRedisError, LocalAzureRedisErrorCode } from './local-azure-redis-error';
import { isPortTaken } from './port-check';

/** A port the caller chose, with the option that chose it. */
export interface ChosenPort {
  readonly option: string;
  readonly port: number;
}

/** The first error in `error`'s cause chain that satisfies `test`. */
function findCause<T>(error: unknown, test: (candidate: unknown) => candidate is T): T | undefined {
  for (let current = error, depth = 0; current !== undefined && depth < 10; depth++) {
    if (test(current)) return current;
    current = (current as { cause?: unknown } | null)?.cause;
  }
  return undefined;
}

/**
 * Turns a component's start failure into a {@link LocalAzureRedisError}: a missing redis-server
 * and a taken port get their own codes (the port found by trying the ports the caller chose, as
 * each component words its socket error differently); anything else is `START_FAILED`.
 */
export async function startFailure(
  component: string,
  error: unknown,
  chosenPorts: readonly ChosenPort[],
): Promise<LocalAzureRedisError> {
  if (error instanceof LocalAzureRedisError) return error;
  const missing = findCause(
    error,
    (candidate): candidate is RedisServerStartError =>
      candidate instanceof RedisServerStartError && candidate.code === 'REDIS_SERVER_MISSING',
  );
  if (missing) {
    return new LocalAzureRedisError(LocalAzureRedisErrorCode.REDIS_SERVER_MISSING, missing.message, {
      cause: error,
    });
  }
  for (const chosen of chosenPorts) {
    if (chosen.port !== 0 && (await isPortTaken(chosen.port))) {
      return new LocalAzureRedisError(
        LocalAzureRedisErrorCode.PORT_IN_USE,
        `port ${chosen.port} (option "${chosen.option}") is already in use`,
        { option: chosen.option, port: chosen.port, cause: error },
      );
    }
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new LocalAzureRedisError(
    LocalAzureRedisErrorCode.START_FAILED,
    `the ${component} could not start: ${reason}`,
    { cause: error },
  );
}
