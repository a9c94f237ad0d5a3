/**
 * Adobe's problem JSON, built in one place from an AppError. Gateway errors also carry the gateway's
 * own `error_code`/`message` fields so clients written against Adobe's gateway parse them too.
 */
import type { AppError } from '../domain/errors.ts';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly report: Record<string, unknown>;
  readonly errorMessage: string;
  readonly errorDetails: string;
  readonly error_code?: string;
  readonly message?: string;
}

export function toProblem(error: AppError, requestId: string): Problem {
  const gateway = /^GATEWAY-(\d+)-/.exec(error.code)?.[1];
  return {
    type: `https://ns.adobe.com/aep/errors/${error.code}`,
    title: error.title,
    status: error.status,
    report: {
      'detailed-message': error.message,
      'request-id': requestId,
      ...(error.retryable ? { retryable: true } : {}),
      ...error.report,
    },
    errorMessage: error.message,
    errorDetails: error.message,
    ...(gateway === undefined ? {} : { error_code: gateway, message: error.title }),
  };
}
