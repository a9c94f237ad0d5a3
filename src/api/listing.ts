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
