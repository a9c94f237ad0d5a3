import { errorCatalog, type ErrorCode, type Fault } from './error-catalog.ts';

export type { ErrorCode, Fault } from './error-catalog.ts';

/** Extra fields an error may carry into the problem-JSON `report` (never secrets). */
export interface ErrorReport {
  readonly [key: string]: unknown;
}

/**
 * An expected failure with a stable code from the catalogue. The HTTP status, the title and the
 * fault class (client, source, internal) all come from the catalogue, so they are decided in one place.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly report: ErrorReport;

  constructor(code: ErrorCode, message: string, report: ErrorReport = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.report = report;
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }

  get title(): string {
    return errorCatalog[this.code].title;
  }

  get fault(): Fault {
    return errorCatalog[this.code].fault;
  }

  get retryable(): boolean {
    const { fault } = errorCatalog[this.code];
    return fault === 'source' || fault === 'throttle';
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
