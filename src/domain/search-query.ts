/**
 * The body of Flow Service's search endpoints (`POST /connections/search`, `/flows/search`,
 * `/flowSpecs/search`): `{queryString, limit, orderby, count}`. `queryString` holds `property`
 * expressions joined by `&` (each may keep its `property=` prefix and URL-encoding), so it has exactly
 * the grammar and the errors of the `property` query parameter; `limit` is at most 1000, as Adobe's
 * search bodies. `continuationToken` stays a query parameter (flow-service-api.md §2).
 */
import { AppError } from './errors.ts';
import { parseListParams, single, type ListRules, type ParsedListRequest } from './listing.ts';

export const SEARCH_MAX_LIMIT = 1000;

const FIELDS = new Set(['queryString', 'limit', 'orderby', 'count']);
/** Adobe's flow and flowSpec search bodies also take these; Sluice does not implement them. */
const UNSUPPORTED = new Set(['projectionFields', 'groupByProperty']);

function expressionsOf(queryString: string): string[] {
  return queryString
    .split('&')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const expression = part.startsWith('property=') ? part.slice('property='.length) : part;
      if (!expression.includes('%')) return expression;
      try {
        return decodeURIComponent(expression);
      } catch {
        throw new AppError(
          'FLOW-1450-400',
          'queryString has a malformed %-escape; send the expressions plainly (e.g. name==CRM&state==enabled) or encode each % as %25.',
        );
      }
    });
}

export function parseSearchBody(
  body: unknown,
  query: Record<string, unknown>,
  rules: ListRules,
): ParsedListRequest {
  const fields = body ?? {};
  if (typeof fields !== 'object' || Array.isArray(fields)) {
    throw new AppError(
      'FLOW-1407-400',
      'The search body must be a JSON object: {"queryString": "...", "limit": 10, "orderby": "-createdAt", "count": false}.',
    );
  }
  const record = fields as Record<string, unknown>;
  const keys = Object.keys(record);
  const unsupported = keys.filter((key) => UNSUPPORTED.has(key));
  if (unsupported.length > 0) {
    throw new AppError(
      'FLOW-1407-400',
      `The search field(s) ${unsupported.join(', ')} are not supported by Sluice; use queryString, limit, orderby and count.`,
    );
  }
  const unknown = keys.filter((key) => !FIELDS.has(key));
  if (unknown.length > 0) {
    throw new AppError(
      'FLOW-1407-400',
      `Unknown search field(s) ${unknown.join(', ')}; the body takes queryString, limit, orderby and count.`,
    );
  }
  const { queryString, limit, orderby, count } = record;
  if (queryString !== undefined && typeof queryString !== 'string') {
    throw new AppError('FLOW-1407-400', 'queryString must be a string of property expressions joined by &.');
  }
  if (orderby !== undefined && typeof orderby !== 'string') {
    throw new AppError('FLOW-1432-400', 'orderby must be a string such as "name", "+name" or "-createdAt".');
  }
  if (count !== undefined && typeof count !== 'boolean' && count !== 'true' && count !== 'false') {
    throw new AppError('FLOW-1401-400', 'count must be true or false.');
  }
  let limitText: string | undefined;
  if (typeof limit === 'number') {
    limitText = Number.isSafeInteger(limit) && limit >= 0 ? String(limit) : 'not a whole number';
  } else if (typeof limit === 'string') {
    limitText = limit;
  } else if (limit !== undefined) {
    limitText = 'not a whole number';
  }
  const token = single('continuationToken', query['continuationToken']);
  return parseListParams(
    {
      ...(limitText === undefined ? {} : { limit: limitText }),
      ...(orderby === undefined ? {} : { orderby }),
      ...(count === undefined ? {} : { count: String(count) }),
      ...(token === undefined ? {} : { continuationToken: token }),
      property: queryString === undefined ? [] : expressionsOf(queryString),
    },
    {
      ...rules,
      maxLimit: Math.min(rules.maxLimit, SEARCH_MAX_LIMIT),
      defaultLimit: Math.min(rules.defaultLimit, SEARCH_MAX_LIMIT),
    },
  );
}
