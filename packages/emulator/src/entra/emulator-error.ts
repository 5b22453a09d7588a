/** Stable codes of {@link EntraEmulatorError}. */
export const EntraEmulatorErrorCode = {
  /** An option or registration is invalid; the message names it and the accepted values. */
  INVALID_OPTION: 'ENTRA_EMULATOR_INVALID_OPTION',
  /** A listener could not be started (port taken, bad host). */
  START_FAILED: 'ENTRA_EMULATOR_START_FAILED',
} as const;

export type EntraEmulatorErrorCode = (typeof EntraEmulatorErrorCode)[keyof typeof EntraEmulatorErrorCode];

/** A misuse of the emulator API or a failure to start it. */
export class EntraEmulatorError extends Error {
  readonly code: EntraEmulatorErrorCode;
  constructor(code: EntraEmulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EntraEmulatorError';
    this.code = code;
  }
}

/** Throws INVALID_OPTION naming the option, what it accepts and (non-secret) what it got. */
export function invalidOption(option: string, accepted: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got) : String(got);
  throw new EntraEmulatorError(
    EntraEmulatorErrorCode.INVALID_OPTION,
    `${option} must be ${accepted}; got ${shown}`,
  );
}
