/**
 * One repository shape for every instance entity (connections now; source/target connections and flows
 * later). Domain documents go to `body` as JSON; the columns tenancy, ordering and reference checks need
 * are copied out. Updates are optimistic: they succeed only while the stored etag is the one read.
 */
import type { Kysely } from 'kysely';
import type { EntityMeta } from '../domain/entity.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { prepareQuery } from './prepared.ts';
import type { Database, EntityTableName } from './schema.ts';

export interface ScanOptions {
  readonly orderBy: {
    readonly field: 'createdAt' | 'updatedAt' | 'name';
    readonly direction: 'asc' | 'desc';
  };
  /** Keyset position: rows strictly after (value, id) in the scan order. */
  readonly after?: { readonly value: string | number; readonly id: string };
  readonly limit: number;
  /** Column equality pushed down to SQL (e.g. spec_id). */
  readonly where?: Readonly<Partial<Record<'state' | 'spec_id', string>>>;
}

export interface EntityRepository<E extends EntityMeta> {
  insert(entity: E): Promise<void>;
  get(tenant: Tenant, id: string): Promise<E | undefined>;
  /** Replace the entity if its stored etag is still `expectedEtag`; false when someone else won. */
  update(entity: E, expectedEtag: string): Promise<boolean>;
  delete(tenant: Tenant, id: string): Promise<boolean>;
  scan(tenant: Tenant, options: ScanOptions): Promise<E[]>;
  /** Across all tenants, by id: for system work such as the scheduler. */
  scanGlobal(options: {
    readonly afterId?: string;
    readonly limit: number;
    readonly state?: string;
  }): Promise<E[]>;
}

const COLUMN = { createdAt: 'created_at', updatedAt: 'updated_at', name: 'name' } as const;

export interface EntityColumns {
  readonly name: string;
  readonly state: string;
  readonly specId: string;
}

export function createEntityRepository<E extends EntityMeta>(
  db: Kysely<Database>,
  table: EntityTableName,
  columnsOf: (entity: E) => EntityColumns,
): EntityRepository<E> {
  const toRow = (entity: E) => {
    const columns = columnsOf(entity);
    return {
      id: entity.id,
      org_id: entity.imsOrgId,
      sandbox_id: entity.sandboxId,
      name: columns.name,
      state: columns.state,
      spec_id: columns.specId,
      created_at: entity.createdAt,
      updated_at: entity.updatedAt,
      etag: entity.etag,
      body: JSON.stringify(entity),
    };
  };
  const fromBody = (body: string): E => JSON.parse(body) as E;

  // The hot reads (GET by id, a list page) are compiled once per shape (prepared.ts).
  const getById = prepareQuery<Database, { body: string }, [string, string, string]>(db, 3, (arg) =>
    db
      .selectFrom(table)
      .select('body')
      .where('id', '=', arg(0))
      .where('org_id', '=', arg(1))
      .where('sandbox_id', '=', arg(2)),
  );
  type ScanArgs = [string, string, ...unknown[]];
  const scans = new Map<string, (...args: ScanArgs) => Promise<{ body: string }[]>>();
  /** The scan of one shape: order, direction, keyset or not, and which columns are filtered. */
  const scanOf = (options: ScanOptions, whereKeys: readonly ('state' | 'spec_id')[]) => {
    const column = COLUMN[options.orderBy.field];
    const direction = options.orderBy.direction;
    const keyset = options.after !== undefined;
    const shape = `${column}|${direction}|${keyset ? 'after' : ''}|${whereKeys.join(',')}`;
    let scan = scans.get(shape);
    if (scan === undefined) {
      // Arguments: org, sandbox, one per filtered column, then [after.value, after.id], then limit.
      const arity = 2 + whereKeys.length + (keyset ? 2 : 0) + 1;
      scan = prepareQuery<Database, { body: string }, ScanArgs>(db, arity, (arg) => {
        let next = 2;
        let query = db
          .selectFrom(table)
          .select('body')
          .where('org_id', '=', arg(0))
          .where('sandbox_id', '=', arg(1));
        for (const key of whereKeys) query = query.where(key, '=', arg(next++));
        if (keyset) {
          const value = arg(next++);
          const id = arg(next++);
          const beyond = direction === 'asc' ? '>' : '<';
          query = query.where((eb) =>
            eb.or([eb(column, beyond, value), eb.and([eb(column, '=', value), eb('id', beyond, id)])]),
          );
        }
        return query.orderBy(column, direction).orderBy('id', direction).limit(arg(next));
      });
      scans.set(shape, scan);
    }
    return scan;
  };

  return {
    async insert(entity) {
      await db.insertInto(table).values(toRow(entity)).execute();
    },

    async get(tenant, id) {
      const [row] = await getById(id, tenant.orgId, tenant.sandboxId);
      return row ? fromBody(row.body) : undefined;
    },

    async update(entity, expectedEtag) {
      const { id: _id, org_id: _org, sandbox_id: _sandbox, created_at: _created, ...changes } = toRow(entity);
      const result = await db
        .updateTable(table)
        .set(changes)
        .where('id', '=', entity.id)
        .where('org_id', '=', entity.imsOrgId)
        .where('sandbox_id', '=', entity.sandboxId)
        .where('etag', '=', expectedEtag)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async delete(tenant, id) {
      const result = await db
        .deleteFrom(table)
        .where('id', '=', id)
        .where('org_id', '=', tenant.orgId)
        .where('sandbox_id', '=', tenant.sandboxId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },

    async scanGlobal(options) {
      let query = db.selectFrom(table).select('body');
      if (options.state !== undefined) query = query.where('state', '=', options.state);
      if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
      const rows = await query.orderBy('id').limit(options.limit).execute();
      return rows.map((row) => fromBody(row.body));
    },

    async scan(tenant, options) {
      const where = Object.entries(options.where ?? {}) as [
        keyof NonNullable<ScanOptions['where']>,
        string,
      ][];
      const scan = scanOf(
        options,
        where.map(([key]) => key),
      );
      const after = options.after;
      const rows = await scan(
        tenant.orgId,
        tenant.sandboxId,
        ...where.map(([, value]) => value),
        ...(after === undefined ? [] : [after.value, after.id]),
        options.limit,
      );
      return rows.map((row) => fromBody(row.body));
    },
  };
}
