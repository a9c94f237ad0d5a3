/**
 * The list query language of Flow Service (flow-service-api.md §2): `limit`, `continuationToken`,
 * `orderby`, repeatable `property` filters and `count`. Parsing is strict (every mistake is its own
 * 4xx); evaluation runs on the response representation of an entity, so masked secrets can never be
 * used as an oracle.
 *
 * A single-valued parameter may be repeated with the same value (clients that append `_links.next.href`
 * to their own parameters send `limit` twice); different values are a 400. A continuation token carries
 * the query it continues (domain/cursor.ts): parameters sent with it must agree (`resumeQuery`), except
 * `limit`, which may change from page to page because paging is by keyset.
 */
import { AppError } from './errors.ts';
import { parsePropertyFilter, type PropertyFilter } from './property-filter.ts';

export {
  matchesFilter,
  matchesFilters,
  parsePropertyFilter,
  valuesAt,
  type FilterOperator,
  type PathSegment,
  type PropertyFilter,
} from './property-filter.ts';

export type SortDirection = 'asc' | 'desc';

export interface ListQuery {
  readonly limit: number;
  readonly orderBy: { readonly field: string; readonly direction: SortDirection };
  readonly filters: readonly PropertyFilter[];
  readonly count: boolean;
}

export interface ListRules {
  /** Fields `orderby` accepts (e.g. createdAt, updatedAt, name). */
  readonly sortFields: readonly string[];
  readonly defaultSort: { readonly field: string; readonly direction: SortDirection };
  /** Top-level fields of the representation a filter may start with. */
  readonly filterFields: readonly string[];
  readonly defaultLimit: number;
  readonly maxLimit: number;
  /**
   * Dotted paths (without `[]`) that hold numbers, e.g. epoch-millisecond times: a filter on one of
   * them must compare with a number. `createdAt` and `updatedAt` are numeric wherever they are filterable.
   */
  readonly numericFields?: readonly string[];
}

/** The list parameters a request can name; `given` records which ones it did. */
export type ListParam = 'limit' | 'orderby' | 'property' | 'count';

const LIST_PARAMS = new Set(['limit', 'continuationToken', 'orderby', 'property', 'count']);

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** A single-valued parameter: repeating it is accepted when every copy has the same value. */
export function single(name: string, value: unknown): string | undefined {
  const list = asList(value);
  if (new Set(list).size > 1) {
    throw new AppError(
      'FLOW-1401-400',
      `The query parameter '${name}' is given ${list.length} times with different values; send it once (repeating it with the same value is accepted).`,
    );
  }
  return list[0];
}

/**
 * The query with each named single-valued parameter collapsed to one string (see `single`); the others
 * are kept as they are. For routes that page by `start` (Catalog, Data Prep, Schema Registry), whose
 * next links carry their parameters: a client that appends one and sends its own again is accepted.
 */
export function singleValued(
  query: Record<string, unknown>,
  names: readonly string[],
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(query).map(([name, value]) => [name, names.includes(name) ? single(name, value) : value]),
  );
}

/** Reject query parameters this route does not know (Adobe: 1451). */
export function assertKnownParams(query: Record<string, unknown>, known: Iterable<string>): void {
  const allowed = new Set(known);
  const unknown = Object.keys(query).filter((key) => !allowed.has(key));
  if (unknown.length > 0) {
    throw new AppError(
      'FLOW-1451-400',
      `Invalid params ${unknown.join(', ')} provided in query params. Allowed: ${[...allowed].join(', ') || 'none'}.`,
    );
  }
}

export function parseLimit(
  raw: string | undefined,
  rules: Pick<ListRules, 'defaultLimit' | 'maxLimit'>,
): number {
  if (raw === undefined) return rules.defaultLimit;
  // No trimming: `limit=+5` arrives as " 5" (a query string decodes + as a space) and is refused.
  if (!/^\d{1,16}$/.test(raw)) {
    throw new AppError(
      'FLOW-1402-400',
      /^\s*[+-]?\s*\d+\s*$/.test(raw)
        ? `The limit must be written with digits only, without a sign or spaces ('+' in a query string is a space); use 1 to ${rules.maxLimit}.`
        : `The limit is not a whole number; use 1 to ${rules.maxLimit}, e.g. limit=10.`,
    );
  }
  const limit = Number(raw);
  if (limit < 1 || limit > rules.maxLimit) {
    throw new AppError('FLOW-1402-400', `The limit ${limit} is out of range; use 1 to ${rules.maxLimit}.`);
  }
  return limit;
}

export function parseOrderBy(raw: string | undefined, rules: ListRules): ListQuery['orderBy'] {
  if (raw === undefined || raw === '') return rules.defaultSort;
  const match = /^([+-]?)(.*)$/.exec(raw.trim());
  const sign = match?.[1] ?? '';
  const field = match?.[2] ?? '';
  if (!/^[A-Za-z]\w*$/.test(field)) {
    throw new AppError(
      'FLOW-1432-400',
      `The orderby value '${raw}' is invalid; use a field name optionally prefixed by + (ascending) or - (descending), e.g. orderby=-createdAt.`,
    );
  }
  if (!rules.sortFields.includes(field)) {
    throw new AppError(
      'FLOW-1433-400',
      `Ordering by '${field}' is not supported; use one of ${rules.sortFields.join(', ')}.`,
    );
  }
  return { field, direction: sign === '-' ? 'desc' : 'asc' };
}

export interface ParsedListRequest extends ListQuery {
  readonly continuationToken?: string;
  /** The parameters the request named; absent = none (defaults only, or the token's query). */
  readonly given?: readonly ListParam[];
}

/** The raw list parameters of a GET query string or a search body, as strings. */
export interface ListParams {
  readonly limit?: string;
  readonly orderby?: string;
  readonly property: readonly string[];
  readonly count?: string;
  readonly continuationToken?: string;
}

export function parseListParams(params: ListParams, rules: ListRules): ParsedListRequest {
  const { limit: limitRaw, count: countRaw, continuationToken: token } = params;
  if (countRaw !== undefined && !/^(true|false)$/i.test(countRaw)) {
    throw new AppError('FLOW-1401-400', 'The count parameter must be true or false.');
  }
  const count = countRaw?.toLowerCase() === 'true';
  if (count && limitRaw !== undefined) {
    throw new AppError('FLOW-1401-400', 'The limit and count parameters cannot be given together.');
  }
  if (count && token !== undefined) {
    throw new AppError(
      'FLOW-1401-400',
      'count=true counts the whole listing; send it without a continuationToken.',
    );
  }
  const given: ListParam[] = [];
  if (limitRaw !== undefined) given.push('limit');
  if (params.orderby !== undefined) given.push('orderby');
  if (params.property.length > 0) given.push('property');
  if (countRaw !== undefined) given.push('count');
  return {
    limit: parseLimit(limitRaw, rules),
    orderBy: parseOrderBy(params.orderby, rules),
    filters: params.property.map((expression) => parsePropertyFilter(expression, rules)),
    count,
    ...(token === undefined ? {} : { continuationToken: token }),
    given,
  };
}

export function parseListQuery(query: Record<string, unknown>, rules: ListRules): ParsedListRequest {
  assertKnownParams(query, LIST_PARAMS);
  const pick = (name: string): { [key: string]: string } => {
    const value = single(name, query[name]);
    return value === undefined ? {} : { [name]: value };
  };
  return parseListParams(
    {
      ...pick('limit'),
      ...pick('orderby'),
      ...pick('count'),
      ...pick('continuationToken'),
      property: asList(query['property']),
    },
    rules,
  );
}

const orderText = ({ field, direction }: ListQuery['orderBy']): string =>
  `${direction === 'desc' ? '-' : ''}${field}`;

/**
 * The query a continuation token continues, with the parameters sent beside it: `limit` may change
 * (keyset paging stays exact), while `orderby` and `property` must be the token's, or the position
 * would belong to another listing.
 */
export function resumeQuery(request: ParsedListRequest, carried: ListQuery): ListQuery {
  const given = new Set(request.given ?? []);
  if (given.has('orderby') && orderText(request.orderBy) !== orderText(carried.orderBy)) {
    throw new AppError(
      'FLOW-1420-400',
      `The continuationToken continues a listing ordered by ${orderText(carried.orderBy)}; send the same orderby (or none) with it, or start again without the token.`,
    );
  }
  const expressions = (query: ListQuery): string =>
    JSON.stringify(query.filters.map((filter) => filter.expression).sort());
  if (given.has('property') && expressions(request) !== expressions(carried)) {
    throw new AppError(
      'FLOW-1420-400',
      'The continuationToken continues a listing with other property filters; send the same property filters (or none) with it, or start again without the token.',
    );
  }
  return { ...carried, limit: given.has('limit') ? request.limit : carried.limit };
}
