/** Turns a service's list outcome into Adobe's list envelope with a followable next link. */
import type { FastifyRequest } from 'fastify';
import { parseListQuery, type ListRules, type ParsedListRequest } from '../domain/listing.ts';
import type { ListOutcome } from '../services/listing.ts';

export function parseList(request: FastifyRequest, rules: ListRules): ParsedListRequest {
  return parseListQuery(request.query as Record<string, unknown>, rules);
}

export function listEnvelope<T>(
  collection: string,
  request: ParsedListRequest,
  outcome: ListOutcome<T>,
): unknown {
  if (outcome.kind === 'count') return { count: outcome.count };
  if (outcome.continuationToken === undefined) return { items: outcome.items, _links: {} };
  const params = new URLSearchParams();
  params.set('continuationToken', outcome.continuationToken);
  params.set('limit', String(request.limit));
  const { field, direction } = request.orderBy;
  params.set('orderby', `${direction === 'desc' ? '-' : ''}${field}`);
  for (const filter of request.filters) params.append('property', filter.expression);
  return { items: outcome.items, _links: { next: { href: `/${collection}?${params.toString()}` } } };
}
