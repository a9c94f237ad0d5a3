/**
 * The edge of the HTTP server: what a request must be before any route sees it, and the answers to
 * requests that never reach a route. Every answer here is problem JSON with a catalogued code, and none
 * quotes the input it refused (a URL that does not decode, a header block that overflows, raw bytes).
 *
 * Guarantees:
 * - bodies are UTF-8 JSON: `Content-Type: application/json` (or `application/json-patch+json`), with no
 *   charset or `charset=utf-8`; any other charset is GATEWAY-400100-400, so a body is never decoded as
 *   something it is not;
 * - every parsed body is within the document limits (domain/limits.ts: NUL, string length, depth; size is
 *   Fastify's body limit) before validation or a handler runs;
 * - an HTTP/1.1 request without Host is FLOW-1487-400 (Node would answer it bare);
 * - a URL longer than MAX_URL_LENGTH is FLOW-1485-414, one holding `%00` is FLOW-1480-400 (on both stores:
 *   PostgreSQL cannot compare or store NUL, so an id or a filter value with one must not reach it);
 * - a path or a query string that does not percent-decode to UTF-8 is FLOW-1484-400 (a query is checked
 *   here because the parser keeps undecodable parts raw, and messages that name a parameter would echo them), a path segment over MAX_PARAM_LENGTH FLOW-1485-414;
 * - bytes that are not HTTP (Node's parser refuses them) get a problem-JSON answer on the raw socket
 *   (FLOW-1487-400, FLOW-1486-431 for oversized headers, FLOW-1488-408 for a timeout) and the socket is
 *   closed; nothing of what was received is logged or echoed; CONNECT gets FLOW-1411-405 the same way.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';
import { assertDocumentWithinLimits, type DocumentLimits } from '../domain/limits.ts';
import { toProblem } from './problem.ts';

/** Longest URL (path and query) accepted; Node's own limit on the request head is 16 KiB. */
export const MAX_URL_LENGTH = 8192;
/** Longest path segment (an id); Sluice's ids are at most 36 characters. */
export const MAX_PARAM_LENGTH = 100;

const JSON_TYPES = ['application/json', 'application/json-patch+json'];

/** The charset parameter of a Content-Type, lower-cased and unquoted; undefined when absent. */
function charsetOf(contentType: string): string | undefined {
  for (const parameter of contentType.split(';').slice(1)) {
    const [name = '', value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset')
      return value
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
  }
  return undefined;
}

const wrongCharset = (): AppError =>
  new AppError(
    'GATEWAY-400100-400',
    'A valid content-type must be specified: the body must be UTF-8 JSON, sent as Content-Type: application/json (a charset other than utf-8 is refused).',
  );

/** JSON bodies; an empty body is `undefined` (action calls send none). */
export function registerJsonBodies(app: FastifyInstance, limits: DocumentLimits): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (request, body: string, done) => {
    const charset = charsetOf(request.headers['content-type'] ?? '');
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(wrongCharset(), undefined);
      return;
    }
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    try {
      assertDocumentWithinLimits(parsed, limits, 'body');
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    done(null, parsed);
  });
}

/** True when every name and value of the URL's query percent-decodes to UTF-8 (or there is no query). */
function queryDecodes(url: string): boolean {
  const start = url.indexOf('?');
  if (start === -1 || !url.includes('%', start)) return true;
  try {
    for (const part of url.slice(start + 1).split(/[&=]/)) decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
}

/** The URL checks that need no route: length, encoding, Host and NUL, before authentication and routing. */
export function registerUrlChecks(app: FastifyInstance): void {
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.url.length > MAX_URL_LENGTH) {
      done(
        new AppError(
          'FLOW-1485-414',
          `The URL is longer than ${MAX_URL_LENGTH} characters; shorten the query (filters, ids).`,
        ),
      );
      return;
    }
    if (!queryDecodes(request.url)) {
      done(
        new AppError(
          'FLOW-1484-400',
          'The query string is not valid percent-encoded UTF-8; encode each name and value with encodeURIComponent.',
        ),
      );
      return;
    }
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
      done(new AppError('FLOW-1487-400', 'An HTTP/1.1 request needs a Host header; send one.'));
      return;
    }
    if (/%00/i.test(request.url) || request.url.includes('\u0000')) {
      done(
        new AppError(
          'FLOW-1480-400',
          'The URL contains a NUL character (%00); remove it from the path and the query.',
        ),
      );
      return;
    }
    done();
  });
}

const send = (reply: FastifyReply, error: AppError, requestId: string): FastifyReply =>
  reply
    .status(error.status)
    .header('x-request-id', requestId)
    .type('application/problem+json')
    .send(toProblem(error, requestId));

/** FLOW-1485-414 for a path with a segment longer than an id may be, as `frameworkErrors` answers it. */
export function tooLongSegment(path: string): AppError | undefined {
  return path.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)
    ? new AppError(
        'FLOW-1485-414',
        `A path segment is longer than ${MAX_PARAM_LENGTH} characters; ids are at most 36.`,
      )
    : undefined;
}

/**
 * Fastify's `frameworkErrors`: a path that does not decode, a segment over `maxParamLength`, and a
 * failed route constraint. Without it Fastify answers these itself, in its own shape, echoing the path.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appError =
    error.code === 'FST_ERR_BAD_URL'
      ? new AppError(
          'FLOW-1484-400',
          'The request path is not valid percent-encoded UTF-8; encode each path segment with encodeURIComponent.',
        )
      : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? new AppError(
            'FLOW-1485-414',
            `A path segment is longer than ${MAX_PARAM_LENGTH} characters; ids are at most 36.`,
          )
        : new AppError('FLOW-1409-404', 'No route matches this request; see /docs for the API.');
  void send(reply, appError, request.id);
}

function clientProblem(code: string | undefined): AppError {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new AppError(
      'FLOW-1486-431',
      'The request line and headers are larger than 16 KiB; send shorter headers and a shorter URL.',
    );
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new AppError('FLOW-1488-408', 'The request was not received completely in time; send it again.');
  }
  return new AppError(
    'FLOW-1487-400',
    'The bytes received are not a valid HTTP/1.1 request; check the request line, the headers and the framing.',
  );
}

/** Writes a problem-JSON answer on a raw socket (no request object exists) and closes it. */
function answerOnSocket(socket: Socket, problem: AppError): void {
  if (socket.writable) {
    const requestId = randomUUID();
    const body = JSON.stringify(toProblem(problem, requestId));
    socket.write(
      `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Bad Request'}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

/** Fastify's `clientErrorHandler`: Node's HTTP parser refused the bytes; answer on the raw socket. */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  answerOnSocket(socket, clientProblem(error.code));
}

/** CONNECT never reaches Fastify (Node would close the socket without a word): Sluice is no proxy. */
export function refuseConnect(server: {
  on(event: 'connect', listener: (request: unknown, socket: Socket) => void): unknown;
}): void {
  server.on('connect', (_request, socket) => {
    socket.on('error', () => undefined);
    answerOnSocket(
      socket,
      new AppError('FLOW-1411-405', 'CONNECT is not supported: Sluice is an API, not a proxy.'),
    );
  });
}
