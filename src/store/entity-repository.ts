/**
 * One repository shape for every instance entity (connections now; source/target connections and flows
 * later). Domain documents go to `body` as JSON; the columns tenancy, ordering and reference checks need
 * are copied out. Updates are optimistic: they succeed only while the stored etag is the one read.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
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

/**
 * A service's response representation, stored beside the body (`view`, `view_key`): written with every
 * insert and update through `withViews`, read back as text instead of parsing and representing the body.
 */
export interface EntityViews<E> {
  /** The representation's version; a row whose `view_key` differs (or is null) is represented from its body. */
  readonly key: string;
  /** The response item as JSON text, from the entity as parsed from its stored body. */
  readonly of: (entity: E) => string;
}

/** A row of a view scan: the item's JSON text and its list position (the order column's value, the id). */
export interface ViewRow {
  readonly id: string;
  readonly position: string | number;
  readonly view: string;
}

/** The repository of a service that stores its representation: writes keep the view current. */
export interface ViewingRepository<E extends EntityMeta> extends EntityRepository<E> {
  /** The stored item text (rebuilt from the body when its key is stale); undefined when not found. */
  getView(tenant: Tenant, id: string): Promise<string | undefined>;
  /** `scan` returning each row's item text and position instead of the entity. */
  scanViews(tenant: Tenant, options: ScanOptions): Promise<ViewRow[]>;
}

export interface EntityRepository<E extends EntityMeta> {
  /** The same table with `views` written on every insert and update (see EntityViews). */
  withViews(views: EntityViews<E>): ViewingRepository<E>;
  insert(entity: E): Promise<void>;
  get(tenant: Tenant, id: string): Promise<E | undefined>;
  /** Replace the entity if its stored etag is still `expectedEtag`; false when someone else won. */
  update(entity: E, expectedEtag: string): Promise<boolean>;
  // Without views (this repository), insert and update store a null view: readers rebuild it.
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

/** Results each hot read (GET by id, a page of views) keeps while the store is unchanged (prepared.ts). */
const KEPT_READS = 1_000;

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
  const fromBody = (body: string): E => JSON.parse(body) as E;
  const toRow = (entity: E, views?: EntityViews<E>) => {
    const columns = columnsOf(entity);
    const body = JSON.stringify(entity);
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
      body,
      // From the body as it will be read back, so a stored view is the one a reader would build.
      view: views === undefined ? null : views.of(fromBody(body)),
      view_key: views === undefined ? null : views.key,
    };
  };

  // The hot reads (GET by id, a list page) are compiled once per shape (prepared.ts).
  const getById = prepareQuery<Database, { body: string }, [string, string, string]>(db, 3, (arg) =>
    db
      .selectFrom(table)
      .select('body')
      .where('id', '=', arg(0))
      .where('org_id', '=', arg(1))
      .where('sandbox_id', '=', arg(2)),
  );
  /**
   * A stored view when its key is `key`, else null and the body (stale or missing view). Only these two
   * columns are read (each further string column costs ≈ 0.1 µs a row in node:sqlite).
   */
  interface StoredViewRow {
    view: string | null;
    stale_body: string | null;
  }
  const viewColumns = (key: never) =>
    [
      sql<string | null>`case when view_key = ${key} then view else null end`.as('view'),
      sql<string | null>`case when view_key = ${key} and view is not null then null else body end`.as(
        'stale_body',
      ),
    ] as const;
  // Both view reads keep their results while nothing is committed (the rows are only read here).
  const getViewById = prepareQuery<Database, StoredViewRow, [string, string, string, string]>(
    db,
    4,
    (arg) =>
      db
        .selectFrom(table)
        .select(viewColumns(arg(3)))
        .where('id', '=', arg(0))
        .where('org_id', '=', arg(1))
        .where('sandbox_id', '=', arg(2)),
    { keepWhileUnchanged: KEPT_READS },
  );
  type ScanArgs = [string, string, ...unknown[]];
  type ScanRow = { body: string } | (StoredViewRow & { id: string; position: string | number });
  const scans = new Map<string, (...args: ScanArgs) => Promise<ScanRow[]>>();
  /**
   * The scan of one shape: order, direction, keyset or not, which columns are filtered, and whether it
   * reads bodies or views (a view scan takes the view key as its last argument).
   */
  const scanOf = (options: ScanOptions, whereKeys: readonly ('state' | 'spec_id')[], views: boolean) => {
    const column = COLUMN[options.orderBy.field];
    const direction = options.orderBy.direction;
    const keyset = options.after !== undefined;
    const shape = `${column}|${direction}|${keyset ? 'after' : ''}|${whereKeys.join(',')}|${views ? 'views' : ''}`;
    let scan = scans.get(shape);
    if (scan === undefined) {
      // Arguments: org, sandbox, one per filtered column, then [after.value, after.id], then limit[, key].
      const arity = 2 + whereKeys.length + (keyset ? 2 : 0) + 1 + (views ? 1 : 0);
      scan = prepareQuery<Database, ScanRow, ScanArgs>(
        db,
        arity,
        (arg) => {
          let next = 2;
          const from = db.selectFrom(table);
          // One builder type for both selections (the rows are typed by ScanRow).
          const selected = (views
            ? from.select((eb) => ['id', eb.ref(column).as('position'), ...viewColumns(arg(arity - 1))])
            : from.select('body')) as unknown as SelectQueryBuilder<Database, EntityTableName, ScanRow>;
          let query = selected.where('org_id', '=', arg(0)).where('sandbox_id', '=', arg(1));
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
        },
        views ? { keepWhileUnchanged: KEPT_READS } : {},
      );
      scans.set(shape, scan);
    }
    return scan;
  };
  const runScan = (tenant: Tenant, options: ScanOptions, viewKey?: string): Promise<ScanRow[]> => {
    const where = Object.entries(options.where ?? {}) as [keyof NonNullable<ScanOptions['where']>, string][];
    const scan = scanOf(
      options,
      where.map(([key]) => key),
      viewKey !== undefined,
    );
    const after = options.after;
    return scan(
      tenant.orgId,
      tenant.sandboxId,
      ...where.map(([, value]) => value),
      ...(after === undefined ? [] : [after.value, after.id]),
      options.limit,
      ...(viewKey === undefined ? [] : [viewKey]),
    );
  };

  const make = (views: EntityViews<E> | undefined): ViewingRepository<E> => {
    /** The stored view when its key is current, else the view built from the body. */
    const viewOf = (row: StoredViewRow, current: EntityViews<E>): string =>
      row.view ?? current.of(fromBody(row.stale_body ?? ''));
    const required = (): EntityViews<E> => {
      if (views === undefined) throw new Error(`the ${table} repository was not given views (withViews)`);
      return views;
    };
    return {
      withViews: (next) => make(next),

      async insert(entity) {
        await db.insertInto(table).values(toRow(entity, views)).execute();
      },

      async get(tenant, id) {
        const [row] = await getById(id, tenant.orgId, tenant.sandboxId);
        return row ? fromBody(row.body) : undefined;
      },

      async getView(tenant, id) {
        const current = required();
        const [row] = await getViewById(id, tenant.orgId, tenant.sandboxId, current.key);
        return row ? viewOf(row, current) : undefined;
      },

      async update(entity, expectedEtag) {
        const {
          id: _id,
          org_id: _org,
          sandbox_id: _sandbox,
          created_at: _created,
          ...changes
        } = toRow(entity, views);
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
        const rows = (await runScan(tenant, options)) as { body: string }[];
        return rows.map((row) => fromBody(row.body));
      },

      async scanViews(tenant, options) {
        const current = required();
        const rows = (await runScan(tenant, options, current.key)) as (StoredViewRow & {
          id: string;
          position: string | number;
        })[];
        return rows.map((row) => ({ id: row.id, position: row.position, view: viewOf(row, current) }));
      },
    };
  };
  return make(undefined);
}
