import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { assertKnownParams, parseLimit, singleValued } from '../../../domain/listing.ts';
import type { MappingSetListOptions } from '../../../store/mapping-repository.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses, Repeatable } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { parseExpandSchema, shown } from './get.ts';
import { MappingSetPageResponse } from './schemas.ts';

const ORDER_FIELDS: Readonly<Record<string, MappingSetListOptions['orderBy']['field']>> = {
  createdDate: 'createdDate',
  updatedDate: 'modifiedDate',
  modifiedDate: 'modifiedDate',
};

/** Data Prep's `orderBy`: createdDate or updatedDate, `+` (ascending, may arrive as a space) or `-`. */
export function parseMappingOrder(raw: unknown): MappingSetListOptions['orderBy'] {
  if (raw === undefined || raw === '') return { field: 'createdDate', direction: 'desc' };
  const match = typeof raw === 'string' ? /^([+ -]?)(\w+)$/.exec(raw) : null;
  const field = match ? ORDER_FIELDS[match[2] ?? ''] : undefined;
  if (!match || field === undefined) {
    throw new AppError(
      'FLOW-1433-400',
      `The orderBy '${shown(raw)}' is not supported; use createdDate or updatedDate, prefixed by + or -.`,
    );
  }
  return { field, direction: match[1] === '-' ? 'desc' : 'asc' };
}

function parseStart(raw: unknown): number {
  if (raw === undefined) return 0;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw.trim())) {
    throw new AppError('FLOW-1401-400', `The start '${shown(raw)}' is not an offset (0, 1, ...).`);
  }
  return Number(raw.trim());
}

export function listMappingSets(app: App, deps: RouteDeps): void {
  app.get(
    '/mappingSets',
    {
      schema: {
        summary: 'List mapping sets (latest versions) with limit/start paging, orderBy and name',
        tags: ['mappingSets'],
        querystring: Type.Object(
          {
            limit: Type.Optional(Repeatable('Page size, 1..SLUICE_LIST_MAX_LIMIT.')),
            start: Type.Optional(Repeatable('Offset of the first item; 0 for the first page.')),
            orderBy: Type.Optional(
              Repeatable('[+|-]createdDate or [+|-]updatedDate (default -createdDate).'),
            ),
            name: Type.Optional(Repeatable('Exact name.')),
            expandSchema: Type.Optional(Repeatable('true or false.')),
          },
          { additionalProperties: true },
        ),
        response: { 200: MappingSetPageResponse, ...errorResponses },
      },
    },
    async (request) => {
      const names = ['limit', 'start', 'orderBy', 'name', 'expandSchema'];
      assertKnownParams(request.query, names);
      const query = singleValued(request.query, names);
      parseExpandSchema(query['expandSchema']);
      const limit = parseLimit(
        typeof query['limit'] === 'string' ? query['limit'] : undefined,
        deps.listLimits,
      );
      const start = parseStart(query['start']);
      const orderBy = parseMappingOrder(query['orderBy']);
      const name = typeof query['name'] === 'string' ? query['name'] : undefined;
      const page = await deps.mappingSets.list(actorOf(request), {
        limit,
        start,
        orderBy,
        ...(name === undefined ? {} : { name }),
      });
      const nextStart = start + page._page.count;
      if (page._page.count === 0 || nextStart >= page._page.total) return { ...page, _links: {} };
      const params = new URLSearchParams({ limit: String(limit), start: String(nextStart) });
      if (typeof query['orderBy'] === 'string') params.set('orderBy', query['orderBy']);
      if (name !== undefined) params.set('name', name);
      return { ...page, _links: { next: { href: `/mappingSets?${params.toString()}` } } };
    },
  );
}
