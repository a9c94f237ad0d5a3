/**
 * Paged listing for every entity collection: SQL does tenancy, ordering and keyset paging; `property`
 * filters run on the response representation (so masked secrets are never a filter oracle). Pages are
 * filled by scanning chunks until `limit` matches are found, so sparse filters still return full pages.
 */
import type { CursorCodec } from '../domain/cursor.ts';
import type { EntityMeta } from '../domain/entity.ts';
import { matchesFilters, type ListRules, type ParsedListRequest } from '../domain/listing.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { EntityRepository, ScanOptions } from '../store/entity-repository.ts';

export const ENTITY_LIST_RULES: Omit<ListRules, 'filterFields' | 'defaultLimit' | 'maxLimit'> = {
  sortFields: ['createdAt', 'updatedAt', 'name'],
  defaultSort: { field: 'createdAt', direction: 'asc' },
};

export type ListOutcome<T> =
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'page'; readonly items: readonly T[]; readonly continuationToken?: string };

const fingerprintOf = (request: ParsedListRequest): string =>
  JSON.stringify([request.orderBy, request.filters.map((filter) => filter.expression)]);

export async function listEntities<E extends EntityMeta & { readonly name: string }, T>(input: {
  repository: EntityRepository<E>;
  tenant: Tenant;
  request: ParsedListRequest;
  cursors: CursorCodec;
  represent: (entity: E) => T;
  where?: ScanOptions['where'];
}): Promise<ListOutcome<T>> {
  const { repository, tenant, request, cursors, represent } = input;
  const orderBy = request.orderBy as ScanOptions['orderBy'];
  const fingerprint = fingerprintOf(request);
  let after =
    request.continuationToken === undefined
      ? undefined
      : cursors.decode(request.continuationToken, fingerprint);
  const wanted = request.count ? Number.POSITIVE_INFINITY : request.limit + 1;
  const chunk = request.count ? 500 : Math.min(Math.max(request.limit * 2, 50), 1000);
  const matched: { entity: E; item: T }[] = [];
  let count = 0;
  for (;;) {
    const rows = await repository.scan(tenant, {
      orderBy,
      limit: chunk,
      ...(after === undefined ? {} : { after }),
      ...(input.where === undefined ? {} : { where: input.where }),
    });
    for (const entity of rows) {
      after = { value: entity[orderBy.field], id: entity.id };
      const item = represent(entity);
      if (!matchesFilters(item, request.filters)) continue;
      count += 1;
      if (!request.count) matched.push({ entity, item });
      if (matched.length >= wanted) break;
    }
    if (rows.length < chunk || matched.length >= wanted) break;
  }
  if (request.count) return { kind: 'count', count };
  const page = matched.slice(0, request.limit);
  const last = page.at(-1);
  const more = matched.length > request.limit && last !== undefined;
  return {
    kind: 'page',
    items: page.map((entry) => entry.item),
    ...(more
      ? {
          continuationToken: cursors.encode(
            { value: last.entity[orderBy.field], id: last.entity.id },
            fingerprint,
          ),
        }
      : {}),
  };
}
