/**
 * `POST /{collection}/search` (flow-service-api.md §2): the listing of `GET /{collection}` with the query
 * in the body (`{queryString, limit, orderby, count}`, domain/search-query.ts) and `continuationToken` in
 * the query string. Its next link is `/{collection}/search?continuationToken=<token>`: the token carries
 * the query, so the next page may be requested with no body, or with the same body again.
 */
import { Type } from 'typebox';
import { assertKnownParams, type ListRules, type ParsedListRequest } from '../../domain/listing.ts';
import { parseSearchBody, SEARCH_MAX_LIMIT } from '../../domain/search-query.ts';
import type { Actor } from '../../domain/tenancy.ts';
import type { ListOutcome } from '../../services/listing.ts';
import { actorOf } from '../auth.ts';
import { listEnvelope } from '../listing.ts';
import { errorResponses, ListResponse } from '../schemas.ts';
import type { App } from '../types.ts';

export const SearchBody = Type.Object(
  {
    queryString: Type.Optional(
      Type.String({
        description:
          'property expressions joined by &, with the grammar of the property query parameter, e.g. "state==enabled&name==CRM".',
      }),
    ),
    limit: Type.Optional(
      Type.Union([Type.Integer(), Type.String()], { description: `Page size, 1..${SEARCH_MAX_LIMIT}.` }),
    ),
    orderby: Type.Optional(Type.String({ description: 'name, +name, -name; fields as the GET listing.' })),
    count: Type.Optional(
      Type.Union([Type.Boolean(), Type.String()], { description: 'true → only {count}.' }),
    ),
  },
  { additionalProperties: true },
);

const SEARCH_BODY_DESCRIPTION =
  'Optional (the next page needs only continuationToken). projectionFields and groupByProperty are not supported.';

export function registerSearch(
  app: App,
  spec: {
    readonly collection: string;
    readonly rules: ListRules;
    readonly list: (actor: Actor, request: ParsedListRequest) => Promise<ListOutcome<unknown>>;
  },
): void {
  app.post(
    `/${spec.collection}/search`,
    {
      schema: {
        summary: `Search ${spec.collection}: the GET listing with the query in the body`,
        tags: [spec.collection],
        querystring: Type.Object(
          {
            continuationToken: Type.Optional(
              Type.Union([Type.String(), Type.Array(Type.String())], {
                description: 'From _links.next.href of the previous page.',
              }),
            ),
          },
          { additionalProperties: true },
        ),
        // The body may be absent (the next page needs only the token): an object is checked against
        // SearchBody here and field by field in parseSearchBody; the schema documents it in /openapi.json.
        body: Type.Unsafe({
          description: SEARCH_BODY_DESCRIPTION,
          anyOf: [SearchBody, { not: { type: 'object' } }],
        }),
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['continuationToken']);
      const parsed = parseSearchBody(request.body, query, spec.rules);
      return listEnvelope(`${spec.collection}/search`, await spec.list(actorOf(request), parsed)) as never;
    },
  );
}
