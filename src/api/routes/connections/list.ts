import { listEnvelopeJson, parseList } from '../../listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses, JSON_TYPE, ListQuerystring, ListResponse } from '../../schemas.ts';
import { registerSearch } from '../search.ts';
import { ENTITY_LIST_RULES } from '../../../services/listing.ts';
import type { App, RouteDeps } from '../../types.ts';

export const CONNECTION_FILTER_FIELDS = [
  'id',
  'name',
  'description',
  'state',
  'connectionSpec',
  'auth',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'createdClient',
  'updatedClient',
  'sandboxId',
  'sandboxName',
  'imsOrgId',
  'etag',
  'version',
];

export function listConnections(app: App, deps: RouteDeps): void {
  const rules = { ...ENTITY_LIST_RULES, filterFields: CONNECTION_FILTER_FIELDS, ...deps.listLimits };
  app.get(
    '/connections',
    {
      schema: {
        summary: 'List base connections',
        tags: ['connections'],
        querystring: ListQuerystring,
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const parsed = parseList(request, rules);
      const outcome = await deps.connections.listJson(actorOf(request), parsed);
      return reply.type(JSON_TYPE).send(listEnvelopeJson('connections', outcome) as never);
    },
  );
}

/** `POST /connections/search`: the listing above with the query in the body. */
export function searchConnections(app: App, deps: RouteDeps): void {
  registerSearch(app, {
    collection: 'connections',
    rules: { ...ENTITY_LIST_RULES, filterFields: CONNECTION_FILTER_FIELDS, ...deps.listLimits },
    list: (actor, request) => deps.connections.list(actor, request),
  });
}
