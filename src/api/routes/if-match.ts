import type { FastifyRequest } from 'fastify';

/** If-Match from the header, or from the `if-match` query parameter as Adobe's Postman collection sends it. */
export function ifMatchOf(request: FastifyRequest): string | undefined {
  const header = request.headers['if-match'];
  if (typeof header === 'string' && header !== '') return header;
  const query = (request.query as Record<string, unknown>)['if-match'];
  return typeof query === 'string' ? query : undefined;
}
