/**
 * Paged listing for every collection: SQL does tenancy, ordering and keyset paging; `property` filters
 * run on the response representation (so masked secrets are never a filter oracle). Pages are filled by
 * scanning chunks until `limit` matches are found, so sparse filters still return full pages.
 *
 * A page's continuation token carries the query and the position after its last item, signed for one
 * collection of one tenant (`listScope`), so the next page needs nothing but the token.
 */
import type { CursorCodec, CursorPosition } from '../domain/cursor.ts';
import type { EntityMeta } from '../domain/entity.ts';
import {
  matchesFilters,
  resumeQuery,
  type ListQuery,
  type ListRules,
  type ParsedListRequest,
} from '../domain/listing.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { EntityRepository, ScanOptions, ViewingRepository } from '../store/entity-repository.ts';

export const ENTITY_LIST_RULES: Omit<ListRules, 'filterFields' | 'defaultLimit' | 'maxLimit'> = {
  sortFields: ['createdAt', 'updatedAt', 'name'],
  defaultSort: { field: 'createdAt', direction: 'asc' },
};

export type ListOutcome<T> =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'page'; readonly items: readonly T[]; readonly continuationToken?: string };

/** What a token is bound to: one collection (e.g. `connections`) of one org and sandbox. */
export const listScope = (collection: string, tenant: Tenant): string =>
  `${collection}|${tenant.orgId}|${tenant.sandboxId}`;

/** The query to run and where to start: from the request, or from the token it continues. */
export function openPage(
  request: ParsedListRequest,
  cursors: CursorCodec,
  scope: string,
): { query: ListQuery; after?: CursorPosition } {
  if (request.continuationToken === undefined) return { query: request };
  const token = cursors.decode(request.continuationToken, scope);
  return { query: resumeQuery(request, token.query), after: token.position };
}

/**
 * Scans `scan` in chunks from `after`, keeping the items whose representation matches the filters, until
 * one more than a page is found (or everything is counted). The extra item only tells that a next page
 * exists; the token points after the page's last item.
 */
export async function collectPage<E, T>(input: {
  query: ListQuery;
  after?: CursorPosition;
  chunk: number;
  scan: (after: CursorPosition | undefined, limit: number) => Promise<readonly E[]>;
  positionOf: (entity: E) => CursorPosition;
  represent: (entity: E) => T;
  token: (query: ListQuery, position: CursorPosition) => string;
}): Promise<ListOutcome<T>> {
  const { query, chunk, positionOf, represent } = input;
  const wanted = query.count ? Number.POSITIVE_INFINITY : query.limit + 1;
  const matched: { entity: E; item: T }[] = [];
  let count = 0;
  let after = input.after;
  for (;;) {
    const rows = await input.scan(after, chunk);
    for (const entity of rows) {
      after = positionOf(entity);
      const item = represent(entity);
      if (!matchesFilters(item, query.filters)) continue;
      count += 1;
      if (!query.count) matched.push({ entity, item });
      if (matched.length >= wanted) break;
    }
    if (rows.length < chunk || matched.length >= wanted) break;
  }
  if (query.count) return { kind: 'count', count };
  const page = matched.slice(0, query.limit);
  const last = page.at(-1);
  return {
    kind: 'page',
    items: page.map((entry) => entry.item),
    ...(matched.length > query.limit && last !== undefined
      ? { continuationToken: input.token(query, positionOf(last.entity)) }
      : {}),
  };
}

/** What a stored collection's listing needs; `listEntities` and `listEntityViews` take the same. */
export interface EntityListInput<E extends EntityMeta & { readonly name: string }, T> {
  repository: EntityRepository<E>;
  tenant: Tenant;
  /** The collection name the tokens are scoped to, e.g. `sourceConnections`. */
  collection: string;
  request: ParsedListRequest;
  cursors: CursorCodec;
  represent: (entity: E) => T;
  where?: ScanOptions['where'];
}

/** One page of an opened listing, over rows of `R` (entities or stored views) read by `scan`. */
function entityPage<R, T>(
  input: { tenant: Tenant; cursors: CursorCodec; where?: ScanOptions['where'] },
  scope: string,
  { query, after }: { query: ListQuery; after?: CursorPosition },
  rows: {
    scan: (tenant: Tenant, options: ScanOptions) => Promise<R[]>;
    positionOf: (row: R, orderBy: ScanOptions['orderBy']) => CursorPosition;
    represent: (row: R) => T;
  },
): Promise<ListOutcome<T>> {
  const orderBy = query.orderBy as ScanOptions['orderBy'];
  return collectPage({
    query,
    ...(after === undefined ? {} : { after }),
    // Without filters every row is an item: one page and the one row that says a next page exists.
    chunk: query.count
      ? 500
      : query.filters.length === 0
        ? query.limit + 1
        : Math.min(Math.max(query.limit * 2, 50), 1000),
    scan: (from, limit) =>
      rows.scan(input.tenant, {
        orderBy,
        limit,
        ...(from === undefined ? {} : { after: from }),
        ...(input.where === undefined ? {} : { where: input.where }),
      }),
    positionOf: (row) => rows.positionOf(row, orderBy),
    represent: rows.represent,
    token: (carried, position) => input.cursors.encode({ query: carried, position }, scope),
  });
}

const entityRows = <E extends EntityMeta & { readonly name: string }, T>(input: EntityListInput<E, T>) => ({
  scan: (tenant: Tenant, options: ScanOptions) => input.repository.scan(tenant, options),
  positionOf: (entity: E, orderBy: ScanOptions['orderBy']): CursorPosition => ({
    value: entity[orderBy.field],
    id: entity.id,
  }),
  represent: input.represent,
});

export async function listEntities<E extends EntityMeta & { readonly name: string }, T>(
  input: EntityListInput<E, T>,
): Promise<ListOutcome<T>> {
  const scope = listScope(input.collection, input.tenant);
  return entityPage(input, scope, openPage(input.request, input.cursors, scope), entityRows(input));
}

/**
 * `listEntities` with each item as its JSON text: from the stored views (no body parsed or represented)
 * when nothing is filtered or counted, else represented from the bodies (filters match the
 * representation) and stringified, which is the same text a stored view holds.
 */
export async function listEntityViews<E extends EntityMeta & { readonly name: string }>(
  input: EntityListInput<E, unknown> & { repository: ViewingRepository<E> },
): Promise<ListOutcome<string>> {
  const { repository } = input;
  const scope = listScope(input.collection, input.tenant);
  const opened = openPage(input.request, input.cursors, scope);
  if (opened.query.count || opened.query.filters.length > 0) {
    const outcome = await entityPage(input, scope, opened, entityRows(input));
    return outcome.kind === 'count'
      ? outcome
      : { ...outcome, items: outcome.items.map((item) => JSON.stringify(item)) };
  }
  return entityPage(input, scope, opened, {
    scan: (tenant, options) => repository.scanViews(tenant, options),
    positionOf: (row) => ({ value: row.position, id: row.id }),
    represent: (row) => row.view,
  });
}

/**
 * A listing over items held in memory (the catalogue's specs), with the same query, filters and tokens
 * as the stored collections. Items are ordered by the sort field, then by id.
 */
export async function listInMemory<E extends { readonly id: string }>(input: {
  items: readonly E[];
  tenant: Tenant;
  collection: string;
  request: ParsedListRequest;
  cursors: CursorCodec;
  sortValue: (item: E, field: string) => string | number;
}): Promise<ListOutcome<E>> {
  const scope = listScope(input.collection, input.tenant);
  const { query, after } = openPage(input.request, input.cursors, scope);
  const { field, direction } = query.orderBy;
  const sign = direction === 'asc' ? 1 : -1;
  const keyOf = (item: E): CursorPosition => ({ value: input.sortValue(item, field), id: item.id });
  const order = (a: CursorPosition, b: CursorPosition): number =>
    sign * (a.value < b.value ? -1 : a.value > b.value ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const sorted = [...input.items].sort((a, b) => order(keyOf(a), keyOf(b)));
  return collectPage({
    query,
    ...(after === undefined ? {} : { after }),
    chunk: sorted.length + 1,
    scan: (from) =>
      Promise.resolve(from === undefined ? sorted : sorted.filter((item) => order(keyOf(item), from) > 0)),
    positionOf: keyOf,
    represent: (item) => item,
    token: (carried, position) => input.cursors.encode({ query: carried, position }, scope),
  });
}
