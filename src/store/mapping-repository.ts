/**
 * Mapping sets and their versions. A version, once inserted, is never rewritten; a new version is
 * appended only while the set's latest version is the one the writer read (optimistic, in one
 * transaction), so two concurrent updates never both become version n+1.
 */
import type { Kysely } from 'kysely';
import type { MappingSet } from '../domain/mapping.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Database } from './schema.ts';

export interface MappingSetListOptions {
  readonly orderBy: { readonly field: 'createdDate' | 'modifiedDate'; readonly direction: 'asc' | 'desc' };
  readonly limit: number;
  /** Offset of the first item (Data Prep's `start`). */
  readonly start: number;
  /** Exact name match. */
  readonly name?: string;
}

export interface MappingRepository {
  /** Insert a new set with its version 0. */
  insert(set: MappingSet): Promise<void>;
  /** The latest version, or `version` when given; undefined when the set or version is missing in this tenant. */
  get(tenant: Tenant, id: string, version?: number): Promise<MappingSet | undefined>;
  /** Append `set` (version n+1) if the latest version is still `set.version - 1`; false when another writer won. */
  appendVersion(set: MappingSet): Promise<boolean>;
  /** The latest version of each set in the tenant, one page, and the total number of sets matching. */
  list(tenant: Tenant, options: MappingSetListOptions): Promise<{ items: MappingSet[]; total: number }>;
}

const ORDER_COLUMN = { createdDate: 's.created_at', modifiedDate: 's.updated_at' } as const;

export function createMappingRepository(db: Kysely<Database>): MappingRepository {
  const versionRow = (set: MappingSet) => ({
    id: set.id,
    version: set.version,
    created_at: set.modifiedDate,
    created_by: set.modifiedBy,
    body: JSON.stringify(set),
  });
  const fromBody = (body: string): MappingSet => JSON.parse(body) as MappingSet;

  return {
    async insert(set) {
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('mapping_sets')
          .values({
            id: set.id,
            org_id: set.imsOrgId,
            sandbox_id: set.sandboxId,
            name: set.name ?? null,
            latest_version: set.version,
            created_at: set.createdDate,
            updated_at: set.modifiedDate,
            created_by: set.createdBy,
            updated_by: set.modifiedBy,
          })
          .execute();
        await trx.insertInto('mapping_set_versions').values(versionRow(set)).execute();
      });
    },

    async get(tenant, id, version) {
      let query = db
        .selectFrom('mapping_set_versions as v')
        .innerJoin('mapping_sets as s', 's.id', 'v.id')
        .select('v.body')
        .where('s.id', '=', id)
        .where('s.org_id', '=', tenant.orgId)
        .where('s.sandbox_id', '=', tenant.sandboxId);
      query =
        version === undefined
          ? query.whereRef('v.version', '=', 's.latest_version')
          : query.where('v.version', '=', version);
      const row = await query.executeTakeFirst();
      return row ? fromBody(row.body) : undefined;
    },

    async appendVersion(set) {
      try {
        return await db.transaction().execute(async (trx) => {
          const result = await trx
            .updateTable('mapping_sets')
            .set({
              latest_version: set.version,
              name: set.name ?? null,
              updated_at: set.modifiedDate,
              updated_by: set.modifiedBy,
            })
            .where('id', '=', set.id)
            .where('org_id', '=', set.imsOrgId)
            .where('sandbox_id', '=', set.sandboxId)
            .where('latest_version', '=', set.version - 1)
            .executeTakeFirst();
          if (Number(result.numUpdatedRows) !== 1) return false;
          await trx.insertInto('mapping_set_versions').values(versionRow(set)).execute();
          return true;
        });
      } catch (error) {
        // A concurrent writer inserted the same (id, version) first: it won.
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async list(tenant, options) {
      let base = db
        .selectFrom('mapping_sets as s')
        .where('s.org_id', '=', tenant.orgId)
        .where('s.sandbox_id', '=', tenant.sandboxId);
      if (options.name !== undefined) base = base.where('s.name', '=', options.name);
      const column = ORDER_COLUMN[options.orderBy.field];
      const direction = options.orderBy.direction;
      const [rows, count] = await Promise.all([
        base
          .innerJoin('mapping_set_versions as v', (join) =>
            join.onRef('v.id', '=', 's.id').onRef('v.version', '=', 's.latest_version'),
          )
          .select('v.body')
          .orderBy(column, direction)
          .orderBy('s.id', direction)
          .limit(options.limit)
          .offset(options.start)
          .execute(),
        base.select((eb) => eb.fn.countAll<number | string>().as('total')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map((row) => fromBody(row.body)), total: Number(count.total) };
    },
  };
}
