import { LogLevel, type NodeSystemOptions } from '@azure/msal-node';

type LoggerOptions = NonNullable<NodeSystemOptions['loggerOptions']>;
import type { Redactor } from './redact';

/** Where MSAL's log lines go; `console` fits. */
export interface EntraIdLogger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/** The most detailed MSAL level that is forwarded. */
export type EntraIdLogLevel = 'error' | 'warning' | 'info' | 'verbose';

export const LOG_LEVELS: ReadonlyArray<EntraIdLogLevel> = ['error', 'warning', 'info', 'verbose'];

const TO_MSAL: Record<EntraIdLogLevel, LogLevel> = {
  error: LogLevel.Error,
  warning: LogLevel.Warning,
  info: LogLevel.Info,
  verbose: LogLevel.Verbose,
};

/**
 * MSAL logger options that forward lines at or above `level` to `logger`. PII logging stays off,
 * lines MSAL flags as PII are dropped, and every line passes the redactor as a second guard.
 */
export function msalLoggerOptions(
  logger: EntraIdLogger | undefined,
  level: EntraIdLogLevel,
  redact: Redactor,
): LoggerOptions {
  return {
    piiLoggingEnabled: false,
    logLevel: TO_MSAL[level],
    loggerCallback(msalLevel: LogLevel, message: string, containsPii: boolean) {
      if (!logger || containsPii) return;
      const line = `[msal] ${redact(message)}`;
      switch (msalLevel) {
        case LogLevel.Error:
          logger.error(line);
          break;
        case LogLevel.Warning:
          logger.warn(line);
          break;
        case LogLevel.Info:
          logger.info(line);
          break;
        default:
          logger.debug(line);
      }
    },
  };
}
