/** Stable codes of {@link LocalAzureRedisError}. */
export const LocalAzureRedisErrorCode = {
  /** An option of `startEmulator` is invalid; `option` names it. */
  INVALID_OPTION: 'LOCAL_AZURE_REDIS_INVALID_OPTION',
  /** A port given in the options is already taken; `option` and `port` name it. */
  PORT_IN_USE: 'LOCAL_AZURE_REDIS_PORT_IN_USE',
  /** `redis-server` is not installed (not on PATH, or `REDIS_SERVER_BIN` points nowhere). */
  REDIS_SERVER_MISSING: 'LOCAL_AZURE_REDIS_REDIS_SERVER_MISSING',
  /** Any other start failure; `cause` holds the component's error. */
  START_FAILED: 'LOCAL_AZURE_REDIS_START_FAILED',
} as const;

export type LocalAzureRedisErrorCode =
  (typeof LocalAzureRedisErrorCode)[keyof typeof LocalAzureRedisErrorCode];

/** A failure of {@link startEmulator}: a stable `code`, the option concerned, and the original `cause`. */
export class LocalAzureRedisError extends Error {
  readonly code: LocalAzureRedisErrorCode;
  /** The option concerned (`port`, `entraPort`, `tokenLifetimeSec`, …), when there is one. */
  readonly option: string | undefined;
  /** The port concerned, for `PORT_IN_USE`. */
  readonly port: number | undefined;

  constructor(
    code: LocalAzureRedisErrorCode,
    message: string,
    details: { option?: string; port?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LocalAzureRedisError';
    this.code = code;
    this.option = details.option;
    this.port = details.port;
  }
}

/** Throws an `INVALID_OPTION` error naming the option and what it accepts. */
export function invalidLocalOption(option: string, accepted: string): never {
  throw new LocalAzureRedisError(
    LocalAzureRedisErrorCode.INVALID_OPTION,
    `Invalid option "${option}": expected ${accepted}`,
    { option },
  );
}
