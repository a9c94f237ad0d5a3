/**
 * XDM schemas (the Schema Registry subset). A schema is stored once and read by its id; titles are
 * unique per sandbox whatever their case (a unique index, so two concurrent creations cannot both win).
 * Listing is keyset paging on a unique column (title or altId), as the registry's `start` parameter is
 * the sort value of the last item seen.
 */
import type { Kysely } from 'kysely';
import type { Tenant } from '../domain/tenancy.ts';
import { schemaIds, type XdmSchema } from '../domain/xdm.ts';
import type { Database } from './schema.ts';

export type XdmSchemaOrderField = 'title' | 'meta:altId';

export interface XdmSchemaScan {
  readonly orderBy: { readonly field: XdmSchemaOrderField; readonly direction: 'asc' | 'desc' };
  /** Only schemas strictly after this sort value (ascending) or before it (descending). */
  readonly after?: string;
  readonly limit: number;
}

export interface XdmSchemaRepository {
  /** Throws a unique violation (dialect.isUniqueViolation) when the title is taken in the sandbox. */
  insert(schema: XdmSchema): Promise<void>;
  get(tenant: Tenant, id: string): Promise<XdmSchema | undefined>;
  scan(tenant: Tenant, options: XdmSchemaScan): Promise<XdmSchema[]>;
}

const COLUMN = { title: 'title', 'meta:altId': 'alt_id' } as const;

export function createXdmSchemaRepository(db: Kysely<Database>): XdmSchemaRepository {
  const fromBody = (body: string): XdmSchema => JSON.parse(body) as XdmSchema;
  return {
    async insert(schema) {
      await db
        .insertInto('xdm_schemas')
        .values({
          id: schema.id,
          org_id: schema.imsOrg,
          sandbox_id: schema.sandboxId,
          alt_id: schemaIds(schema.tenantId, schema.id).altId,
          title: schema.definition.title,
          title_key: schema.definition.title.toLowerCase(),
          created_at: schema.created,
          updated_at: schema.updated,
          body: JSON.stringify(schema),
        })
        .execute();
    },

    async get(tenant, id) {
      const row = await db
        .selectFrom('xdm_schemas')
        .select('body')
        .where('id', '=', id)
        .where('org_id', '=', tenant.orgId)
        .where('sandbox_id', '=', tenant.sandboxId)
        .executeTakeFirst();
      return row ? fromBody(row.body) : undefined;
    },

    async scan(tenant, options) {
      const column = COLUMN[options.orderBy.field];
      const { direction } = options.orderBy;
      let query = db
        .selectFrom('xdm_schemas')
        .select('body')
        .where('org_id', '=', tenant.orgId)
        .where('sandbox_id', '=', tenant.sandboxId);
      if (options.after !== undefined)
        query = query.where(column, direction === 'asc' ? '>' : '<', options.after);
      const rows = await query.orderBy(column, direction).limit(options.limit).execute();
      return rows.map((row) => fromBody(row.body));
    },
  };
}
