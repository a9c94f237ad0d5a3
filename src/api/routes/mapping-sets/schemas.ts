/** Request and response schemas of the Data Prep mapping-set routes (Adobe's shapes plus Sluice extensions). */
import { Type } from 'typebox';
import { DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH } from '../../../domain/limits.ts';
import { NORMALIZED_TYPES } from '../../../domain/types.ts';

const NullableString = Type.Union([Type.String(), Type.Null()]);
const SchemaRef = Type.Object(
  { id: Type.Optional(Type.String()), contentType: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

const MappingBody = Type.Object(
  {
    sourceType: Type.Optional(Type.String({ description: 'ATTRIBUTE (the only kind Sluice maps).' })),
    source: Type.Optional(Type.String({ description: 'The source column; alias of sourceAttribute.' })),
    sourceAttribute: Type.Optional(Type.String()),
    destination: Type.Optional(
      Type.String({ description: 'Dotted dataset field path; alias of destinationXdmPath.' }),
    ),
    destinationXdmPath: Type.Optional(Type.String()),
    identity: Type.Optional(Type.Boolean()),
    identityGroup: Type.Optional(NullableString),
    namespaceCode: Type.Optional(NullableString),
    name: Type.Optional(Type.String({ maxLength: NAME_MAX_LENGTH })),
    description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX_LENGTH })),
  },
  { additionalProperties: true },
);

const Column = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    type: Type.Union(NORMALIZED_TYPES.map((type) => Type.Literal(type))),
    'meta:xdmType': Type.Optional(
      Type.String({ description: 'date or date-time for a temporal column of type string (explore).' }),
    ),
    meta: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: true },
);

export const MappingSetBody = Type.Object(
  {
    id: Type.Optional(NullableString),
    version: Type.Optional(Type.Integer({ minimum: 0 })),
    name: Type.Optional(Type.String({ maxLength: NAME_MAX_LENGTH })),
    description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX_LENGTH })),
    xdmSchema: Type.Optional(
      Type.String({ description: 'The target XDM schema id, or a Sluice dataset id.' }),
    ),
    xdmVersion: Type.Optional(Type.String()),
    schemaRef: Type.Optional(SchemaRef),
    outputSchema: Type.Optional(
      Type.Object({ schemaRef: Type.Optional(SchemaRef) }, { additionalProperties: true }),
    ),
    mappings: Type.Array(MappingBody, { maxItems: 10_000 }),
    dataSetId: Type.Optional(
      Type.String({ description: 'Sluice extension: validate against this dataset.' }),
    ),
    sourceSchema: Type.Optional(
      Type.Object(
        { columns: Type.Array(Column, { maxItems: 10_000 }) },
        { description: 'Sluice extension: the source columns (e.g. from explore) to validate against.' },
      ),
    ),
  },
  { additionalProperties: true },
);

export const MappingSetParams = Type.Object({
  id: Type.String({ description: 'The mapping set id (32 hex).' }),
});

export const MappingSetSummary = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  createdDate: Type.Integer(),
  modifiedDate: Type.Integer(),
  createdBy: Type.String(),
  modifiedBy: Type.String(),
});

export const MappingSetResponse = Type.Object(
  {},
  { additionalProperties: true, description: 'A mapping set version.' },
);

export const MappingSetPageResponse = Type.Object(
  {
    data: Type.Array(MappingSetResponse),
    _page: Type.Object({
      limit: Type.Integer(),
      start: Type.Integer(),
      count: Type.Integer(),
      total: Type.Integer(),
    }),
    _links: Type.Object({ next: Type.Optional(Type.Object({ href: Type.String() })) }),
  },
  { description: 'One page of mapping sets (latest versions); _links.next.href while more exist.' },
);
