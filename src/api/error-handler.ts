/**
 * Every failure leaves the server as problem JSON with a catalogued code. Expected failures (AppError)
 * keep their code; Fastify's own request errors are mapped to catalogue codes by their code or, failing
 * that, by their status; an unreachable store is FLOW-1103-503 with `Retry-After` (logged once per
 * outage by the monitor, not once per request); anything else is a 500 whose details go to the log only
 * (with the stack), never to the client. No message quotes input that could not be parsed.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../domain/errors.ts';
import type { OutageMonitor } from './outage-monitor.ts';
import { toProblem } from './problem.ts';

/** Seconds a client should wait before retrying a 503 of the store or a 429. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** The parser's message quotes the body, which may hold a secret: report only the position. */
function invalidJson(error: Error): AppError {
  const position = /position (\d+)/.exec(error.message)?.[1];
  return new AppError(
    'FLOW-1406-400',
    `The request body is not valid JSON${position === undefined ? '' : ` (error at character ${position})`}; check quotes, commas and brackets.`,
  );
}

const contentTypeRequired = (): AppError =>
  new AppError(
    'GATEWAY-400100-400',
    'A valid content-type must be specified: send the body as JSON with Content-Type: application/json.',
  );

function byCode(error: FastifyError): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return contentTypeRequired();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('FLOW-1405-400', 'The request body is empty; send a JSON document.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(
        'FLOW-1408-413',
        'The request body is too large; the limit is set by SLUICE_BODY_LIMIT_BYTES.',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return invalidJson(error);
    default:
      return undefined;
  }
}

/** Fastify and plugin errors (e.g. the static files' 403 for `..`) by status, without their message. */
function byStatus(error: FastifyError): AppError | undefined {
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  switch (status) {
    case 403:
    case 404:
      return new AppError('FLOW-1409-404', 'No such route or file; see /docs for the API.');
    case 405:
      return new AppError('FLOW-1411-405', 'This method is not allowed here; see /docs for the API.');
    case 408:
      return new AppError('FLOW-1488-408', 'The request was not received completely in time.');
    case 413:
      return new AppError('FLOW-1408-413', 'The request body is too large.');
    case 414:
      return new AppError('FLOW-1485-414', 'The URL is too long.');
    case 415:
      return contentTypeRequired();
    case 431:
      return new AppError('FLOW-1486-431', 'The request headers are too large.');
    default:
      return new AppError('FLOW-1407-400', 'The request is invalid; see /docs for the operation.');
  }
}

function fromFastify(error: FastifyError): AppError | undefined {
  const known = byCode(error);
  if (known) return known;
  if (error.validation) {
    return new AppError('FLOW-1407-400', `Invalid request: ${error.message}.`, {
      fields: error.validation.map((issue) => issue.instancePath || issue.params['missingProperty']),
    });
  }
  if (error instanceof SyntaxError) return invalidJson(error);
  return byStatus(error);
}

export function sendProblem(reply: FastifyReply, error: AppError, requestId: string): FastifyReply {
  if (error.code === 'FLOW-1103-503') reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
  const retryAfter = error.report['retryAfterSeconds'];
  if (error.status === 429 && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  return reply.status(error.status).type('application/problem+json').send(toProblem(error, requestId));
}

export function registerErrorHandling(
  app: FastifyInstance,
  options: {
    /** True when the error means the store is unreachable (connection refused, reset, timed out…). */
    readonly isStoreUnavailable: (error: unknown) => boolean;
    readonly storeMonitor: OutageMonitor;
  },
): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (!isAppError(error) && options.isStoreUnavailable(error)) {
      options.storeMonitor.failed();
      const unavailable = new AppError(
        'FLOW-1103-503',
        `Sluice's store is unreachable; retry in ${STORE_RETRY_AFTER_SECONDS} s (request id ${request.id}).`,
      );
      return sendProblem(reply, unavailable, request.id);
    }
    const known = isAppError(error) ? error : fromFastify(error);
    if (known) {
      if (known.status >= 500) request.log.warn({ code: known.code, msg: known.message }, 'request failed');
      return sendProblem(reply, known, request.id);
    }
    request.log.error({ err: error }, 'unexpected error');
    const internal = new AppError(
      'FLOW-1102-500',
      `An internal error occurred; quote request id ${request.id} when reporting it.`,
    );
    return sendProblem(reply, internal, request.id);
  });

  app.setNotFoundHandler((request, reply) => {
    // The path is not echoed: it may be anything the client sent, up to the URL limit.
    const error = new AppError(
      'FLOW-1409-404',
      `No route for ${request.method} at this path; see /docs for the API.`,
    );
    return sendProblem(reply, error, request.id);
  });
}
