/** Request and response schemas shared by routes; they also generate /openapi.json. */
import { Type } from 'typebox';

export const IdParams = Type.Object({ id: Type.String({ description: 'The entity id (a UUID).' }) });

export const CreatedResponse = Type.Object(
  { id: Type.String(), etag: Type.String({ description: 'The new etag, quoted.' }) },
  { description: 'The id and etag of the created or updated entity.' },
);

export const ProblemResponse = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    report: Type.Record(Type.String(), Type.Unknown()),
    errorMessage: Type.String(),
    errorDetails: Type.String(),
    error_code: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
  },
  { description: 'An error in Adobe problem-JSON shape; see docs/errors.md for every code.' },
);

const Entity = Type.Object({}, { additionalProperties: true });

export const ItemsResponse = Type.Object({ items: Type.Array(Entity) }, { additionalProperties: true });

export const ListResponse = Type.Object(
  {
    items: Type.Optional(Type.Array(Entity)),
    _links: Type.Optional(Type.Object({ next: Type.Optional(Type.Object({ href: Type.String() })) })),
    count: Type.Optional(Type.Integer()),
  },
  { description: 'A page of items with _links.next.href while more exist, or only {count} with count=true.' },
);

/** A single-valued parameter; a repeat with the same value is accepted (see domain/listing.ts). */
export const Repeatable = (description: string) =>
  Type.Union([Type.String(), Type.Array(Type.String())], { description });

export const ListQuerystring = Type.Object(
  {
    limit: Type.Optional(Repeatable('Page size, 1..SLUICE_LIST_MAX_LIMIT (digits only).')),
    continuationToken: Type.Optional(
      Repeatable(
        'From _links.next.href of the previous page; it carries the query, so it may be sent alone.',
      ),
    ),
    orderby: Type.Optional(Repeatable('name, +name, -name; fields createdAt, updatedAt, name.')),
    property: Type.Optional(
      Type.Union([Type.String(), Type.Array(Type.String())], {
        description:
          'Filter, repeatable and ANDed: path==a,b | != | > | < | >= | <=, e.g. connectionSpec.id==<id>.',
      }),
    ),
    count: Type.Optional(Repeatable('true → only {count}.')),
  },
  { additionalProperties: true },
);

export const errorResponses = {
  400: ProblemResponse,
  401: ProblemResponse,
  403: ProblemResponse,
  404: ProblemResponse,
} as const;

/** The Content-Type of a JSON body sent as text (what Fastify sends for an object). */
export const JSON_TYPE = 'application/json; charset=utf-8';

export const FLOW_SERVICE_PREFIX = '/data/foundation/flowservice';
