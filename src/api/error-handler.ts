/**
 * Every failure leaves the server as problem JSON. Expected failures (AppError) keep their code;
 * Fastify's own request errors are mapped to catalogue codes; anything else is a 500 whose details go
 * to the log only (with the stack), never to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../domain/errors.ts';
import { toProblem } from './problem.ts';

/** The parser's message quotes the body, which may hold a secret: report only the position. */
function invalidJson(error: Error): AppError {
  const position = /position (\d+)/.exec(error.message)?.[1];
  return new AppError(
    'FLOW-1406-400',
    `The request body is not valid JSON${position === undefined ? '' : ` (error at character ${position})`}; check quotes, commas and brackets.`,
  );
}

function fromFastify(error: FastifyError, request: FastifyRequest): AppError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(
        'GATEWAY-400100-400',
        `A valid content-type must be specified: send Content-Type: application/json (got '${request.headers['content-type'] ?? 'none'}').`,
      );
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
      break;
  }
  if (error.validation) {
    return new AppError('FLOW-1407-400', `Invalid request: ${error.message}.`, {
      fields: error.validation.map((issue) => issue.instancePath || issue.params['missingProperty']),
    });
  }
  if (error instanceof SyntaxError || error.statusCode === 400) return invalidJson(error);
  if (error.statusCode === 413) return new AppError('FLOW-1408-413', 'The request body is too large.');
  if (error.statusCode === 415) {
    return new AppError(
      'GATEWAY-400100-400',
      'A valid content-type must be specified: send Content-Type: application/json.',
    );
  }
  return undefined;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = isAppError(error) ? error : fromFastify(error, request);
    if (known) {
      if (known.status >= 500) request.log.warn({ code: known.code, msg: known.message }, 'request failed');
      return reply.status(known.status).type('application/problem+json').send(toProblem(known, request.id));
    }
    request.log.error({ err: error }, 'unexpected error');
    const internal = new AppError(
      'FLOW-1102-500',
      `An internal error occurred; quote request id ${request.id} when reporting it.`,
    );
    return reply.status(500).type('application/problem+json').send(toProblem(internal, request.id));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new AppError(
      'FLOW-1409-404',
      `No route ${request.method} ${request.url.split('?')[0] ?? ''}; see /docs for the API.`,
    );
    return reply.status(404).type('application/problem+json').send(toProblem(error, request.id));
  });
}
