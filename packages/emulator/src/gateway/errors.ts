/** Base of the gateway's errors: a stable `code` and the original `cause`. */
export class GatewayError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.code = code;
  }
}

/** An option of `startRedisGateway` / `startRedisClusterGateway` is invalid (code `INVALID_OPTION`). */
export class GatewayOptionError extends GatewayError {
  /** The option's name, e.g. `graceMs`. */
  readonly option: string;
  /** What the option accepts. */
  readonly accepted: string;
  constructor(option: string, accepted: string, options?: { cause?: unknown }) {
    super('INVALID_OPTION', `Invalid option "${option}": expected ${accepted}`, options);
    this.name = 'GatewayOptionError';
    this.option = option;
    this.accepted = accepted;
  }
}

/** The gateway could not start (listener, backend or cluster setup failed; code `GATEWAY_START_FAILED`). */
export class GatewayStartError extends GatewayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GATEWAY_START_FAILED', message, options);
    this.name = 'GatewayStartError';
  }
}
