/**
 * The Schema Registry subset (`/data/foundation/schemaregistry/tenant/schemas`): create an XDM schema,
 * look it up by `$id` or `meta:altId`, list a sandbox's schemas with the registry's keyset paging, and
 * create one from a source table's explored columns (Sluice's "create the schema from this table").
 *
 * Datasets created with a `schemaRef` and mapping sets whose `xdmSchema` is a schema's `$id` read their
 * fields through `datasetSchema`.
 */
import { randomBytes } from 'node:crypto';
import type { ColumnSchema } from '../connectors/connector.ts';
import type { DatasetSchema } from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import { newEtag } from '../domain/ids.ts';
import { matchesFilters, type PropertyFilter } from '../domain/listing.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import { xdmPropertyOf } from '../domain/xdm-fields.ts';
import {
  datasetSchemaOfXdm,
  parseXdmSchemaBody,
  schemaIdFrom,
  schemaIds,
  tenantIdOf,
  XDM_RECORD_CLASS,
  type XdmSchema,
} from '../domain/xdm.ts';
import { isUniqueViolation } from '../store/dialect.ts';
import type { XdmSchemaOrderField, XdmSchemaRepository } from '../store/xdm-schema-repository.ts';

export interface SchemaListRequest {
  readonly orderBy: { readonly field: XdmSchemaOrderField; readonly direction: 'asc' | 'desc' };
  readonly limit: number;
  /** The sort value of the last schema of the previous page (`_page.next`). */
  readonly start?: string;
  /** Evaluated on each schema's full representation (`represent`). */
  readonly filters: readonly PropertyFilter[];
  readonly represent: (schema: XdmSchema) => unknown;
}

export interface SchemaPage {
  readonly schemas: readonly XdmSchema[];
  /** The `start` of the next page; undefined on the last page. */
  readonly next?: string;
}

export interface FromTableInput {
  readonly title?: unknown;
  readonly description?: unknown;
  readonly connectionId?: unknown;
  readonly object?: unknown;
  readonly columns?: unknown;
}

export interface SchemaRegistryService {
  create(actor: Actor, body: unknown): Promise<XdmSchema>;
  /** By URL-decoded `$id`, by `meta:altId`, or by the bare 32-hex id. */
  get(tenant: Tenant, reference: string): Promise<XdmSchema>;
  list(tenant: Tenant, request: SchemaListRequest): Promise<SchemaPage>;
  /** Sluice extension: a schema whose fields are a table's columns (all, or the named ones). */
  createFromTable(actor: Actor, input: FromTableInput): Promise<XdmSchema>;
  /** The lake columns of a schema; undefined when `reference` names no schema of the tenant. */
  // A property: handed to the dataset and mapping-set services as a function.
  readonly datasetSchema: (tenant: Tenant, reference: string) => Promise<DatasetSchema | undefined>;
}

export interface SchemaRegistryDeps {
  readonly repository: XdmSchemaRepository;
  /** A table's live columns (wired to the explore service). */
  readonly describeTable: (tenant: Tenant, connectionId: string, table: string) => Promise<ColumnSchema[]>;
  readonly now?: () => number;
}

const notFound = (reference: string): AppError =>
  new AppError(
    'FLOW-1439-404',
    'The requested schema is not found in this sandbox. Look it up by its meta:altId or its URL-encoded $id.',
    { id: reference.slice(0, 200), type: 'schemas' },
  );

export function createSchemaRegistryService(deps: SchemaRegistryDeps): SchemaRegistryService {
  const { repository } = deps;
  const now = deps.now ?? Date.now;

  const find = async (tenant: Tenant, reference: string): Promise<XdmSchema | undefined> => {
    const id = schemaIdFrom(reference);
    if (id === undefined) return undefined;
    // A $id or altId of another tenant's namespace is not this tenant's, even with the same hex.
    const ids = schemaIds(tenantIdOf(tenant.orgId), id);
    if (reference !== id && reference !== ids.$id && reference !== ids.altId) return undefined;
    return repository.get(tenant, id);
  };

  const create = async (actor: Actor, body: unknown): Promise<XdmSchema> => {
    const parsed = parseXdmSchemaBody(body);
    if (!parsed.ok) {
      const code =
        parsed.kind === 'readOnly'
          ? 'FLOW-1410-400'
          : parsed.kind === 'unsupported'
            ? 'XDM-1003-400'
            : 'XDM-1001-400';
      throw new AppError(code, `The schema is invalid: ${parsed.problems.join('; ')}.`, {
        problems: parsed.problems,
      });
    }
    const at = now();
    const schema: XdmSchema = {
      id: randomBytes(16).toString('hex'),
      tenantId: tenantIdOf(actor.orgId),
      imsOrg: actor.orgId,
      sandboxId: actor.sandboxId,
      sandboxName: actor.sandboxName,
      definition: parsed.definition,
      version: '1.0',
      created: at,
      updated: at,
      createdUser: actor.userId,
      createdClient: actor.clientId,
      updatedUser: actor.userId,
      updatedClient: actor.clientId,
      eTag: newEtag(at).replaceAll('"', ''),
    };
    try {
      await repository.insert(schema);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError(
          'XDM-1002-409',
          `A schema titled '${schema.definition.title}' already exists in this sandbox; choose another title (titles are compared without case).`,
          { title: schema.definition.title },
        );
      }
      throw error;
    }
    return schema;
  };

  return {
    create,

    async get(tenant, reference) {
      const schema = await find(tenant, reference);
      if (!schema) throw notFound(reference);
      return schema;
    },

    async list(tenant, request) {
      const { orderBy, limit, filters } = request;
      const keyOf = (schema: XdmSchema): string =>
        orderBy.field === 'title' ? schema.definition.title : schemaIds(schema.tenantId, schema.id).altId;
      const matched: XdmSchema[] = [];
      let after = request.start;
      const chunk = Math.min(Math.max(limit * 2, 50), 1000);
      for (;;) {
        const rows = await repository.scan(tenant, {
          orderBy,
          limit: chunk,
          ...(after === undefined ? {} : { after }),
        });
        for (const schema of rows) {
          after = keyOf(schema);
          if (matchesFilters(request.represent(schema), filters)) matched.push(schema);
          if (matched.length > limit) break;
        }
        if (rows.length < chunk || matched.length > limit) break;
      }
      const schemas = matched.slice(0, limit);
      const last = schemas.at(-1);
      return { schemas, ...(matched.length > limit && last !== undefined ? { next: keyOf(last) } : {}) };
    },

    async createFromTable(actor, input) {
      const { connectionId, object, columns } = input;
      if (typeof connectionId !== 'string' || connectionId === '') {
        throw new AppError('XDM-1001-400', 'connectionId is required: the base connection to explore.');
      }
      if (typeof object !== 'string' || object.trim() === '') {
        throw new AppError(
          'XDM-1001-400',
          'object is required: the table path from GET /connections/{id}/explore?objectType=root.',
        );
      }
      const wanted = parseColumnNames(columns);
      const live = await deps.describeTable(actor, connectionId, object);
      const missing = wanted?.filter((name) => !live.some((column) => column.name === name)) ?? [];
      if (missing.length > 0) {
        throw new AppError(
          'XDM-1001-400',
          `columns: the table has no column ${missing.slice(0, 20).join(', ')}; its columns are ${live.map((c) => c.name).join(', ')}.`,
        );
      }
      const chosen = wanted === undefined ? live : live.filter((column) => wanted.includes(column.name));
      const properties = Object.fromEntries(
        chosen.map((column) => [
          column.name,
          {
            ...xdmPropertyOf({
              type: column.type,
              ...(typeof column.meta?.['precision'] === 'number'
                ? { precision: column.meta['precision'] }
                : {}),
              ...(typeof column.meta?.['scale'] === 'number' ? { scale: column.meta['scale'] } : {}),
            }),
            title: column.name,
          },
        ]),
      );
      return create(actor, {
        title: input.title ?? object,
        ...(input.description === undefined
          ? { description: `The columns of ${object}, as explored.` }
          : { description: input.description }),
        type: 'object',
        allOf: [{ $ref: XDM_RECORD_CLASS }, { properties }],
      });
    },

    async datasetSchema(tenant, reference) {
      const schema = await find(tenant, reference);
      return schema === undefined ? undefined : datasetSchemaOfXdm(schema.definition);
    },
  };
}

/** `columns`: absent (every column), or names — strings or explore's column objects. */
function parseColumnNames(columns: unknown): string[] | undefined {
  if (columns === undefined) return undefined;
  const names = Array.isArray(columns)
    ? columns.map((column: unknown) =>
        typeof column === 'string'
          ? column
          : typeof column === 'object' &&
              column !== null &&
              typeof (column as { name?: unknown }).name === 'string'
            ? (column as { name: string }).name
            : undefined,
      )
    : [undefined];
  if (names.length === 0 || names.some((name) => name === undefined)) {
    throw new AppError(
      'XDM-1001-400',
      'columns must be a non-empty array of column names (or of explore columns with a name); omit it for every column.',
    );
  }
  return names as string[];
}
