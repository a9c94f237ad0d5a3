/**
 * The logging every layer may use: pino's `(fields, message)` calls, so the process logger is passed
 * as it is (src/logger.ts) and a test can pass `silentLogger`. Fields never hold secrets or bodies.
 */
export interface Logger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
