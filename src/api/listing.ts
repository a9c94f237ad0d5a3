/**
 * Turns a service's list outcome into Adobe's list envelope. `_links.next.href` is the resource path with
 * the token alone (`/connections?continuationToken=<token>`, as Adobe's): the token carries the query,
 * so a client can follow the href, append it to its base path and send its own parameters again, or cut
 * the token out with `href.split("=")[1]`.
 */
import type { FastifyRequest } from 'fastify';
import { parseListQuery, type ListRules, type ParsedListRequest } from '../domain/listing.ts';
import type { ListOutcome } from '../services/listing.ts';

export function parseList(request: FastifyRequest, rules: ListRules): ParsedListRequest {
  return parseListQuery(request.query as Record<string, unknown>, rules);
}

/** `path` is relative to the service root, e.g. `connections` or `flows/search`. */
export function listEnvelope<T>(path: string, outcome: ListOutcome<T>): unknown {
  if (outcome.kind === 'count') return { count: outcome.count };
  if (outcome.continuationToken === undefined) return { items: outcome.items, _links: {} };
  return {
    items: outcome.items,
    _links: { next: { href: `/${path}?continuationToken=${outcome.continuationToken}` } },
  };
}

/**
 * `listEnvelope` as JSON text, from items that are JSON texts already: the same bytes as
 * `JSON.stringify(listEnvelope(path, outcome))` with each item parsed.
 */
export function listEnvelopeJson(path: string, outcome: ListOutcome<string>): string {
  if (outcome.kind === 'count') return JSON.stringify({ count: outcome.count });
  const links =
    outcome.continuationToken === undefined
      ? '{}'
      : JSON.stringify({ next: { href: `/${path}?continuationToken=${outcome.continuationToken}` } });
  return `{"items":[${outcome.items.join(',')}],"_links":${links}}`;
}
