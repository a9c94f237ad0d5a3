/**
 * Runs and flow cursors. Claims are compare-and-set updates (a run is taken only if it is still
 * scheduled, or its lease has expired), so several runner processes can share one PostgreSQL store.
 * Every write a runner makes to a claimed run is conditioned on it still holding the lease.
 */
import type { Kysely, Transaction } from 'kysely';
import type { BatchError } from '../domain/dataset.ts';
import { ACTIVE_RUN_STATES, type Run } from '../domain/run.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { isUniqueViolation } from './dialect.ts';
import type { Database, RunsTable } from './schema.ts';

export interface FlowCursor {
  readonly flowId: string;
  readonly committedEnd: number;
  /** Hashes of (key, delta value) landed in the last window's overlap zone. */
  readonly boundaryKeys: readonly string[];
  readonly lastRunId: string;
}

export interface RunScan {
  readonly direction: 'asc' | 'desc';
  readonly after?: { readonly value: string | number; readonly id: string };
  readonly limit: number;
  readonly flowId?: string;
}

type Db = Kysely<Database> | Transaction<Database>;

export interface RunRepository {
  /** Inserts a scheduled run unless the flow already has an active one; false when it does. */
  insertIfNoActive(run: Run): Promise<boolean>;
  get(tenant: Tenant, id: string): Promise<Run | undefined>;
  getById(id: string): Promise<Run | undefined>;
  activeForFlow(flowId: string): Promise<Run | undefined>;
  latestForFlow(flowId: string): Promise<Run | undefined>;
  scan(tenant: Tenant, options: RunScan): Promise<Run[]>;
  /** Claims the oldest due run (scheduled, or in progress with an expired lease). */
  claimNext(owner: string, now: number, leaseMs: number): Promise<Run | undefined>;
  /**
   * Ends, as `aborted`, the `loading` batches an earlier attempt of this run left when its runner died
   * or lost the lease (a taken-over run writes a fresh batch), so no batch stays `loading` forever; the
   * lake GC removes their files. A runner that lost its lease can then not commit its batch either.
   */
  abandonBatches(runId: string, now: number): Promise<number>;
  /** Extends the lease and stores progress; false when the lease is no longer ours. */
  heartbeat(run: Run, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /** Ends (or hands back) a claimed run; false when the lease is no longer ours. */
  finish(run: Run, owner: string, now: number, db?: Db): Promise<boolean>;
  /** Ends an active run whoever holds it (cancel); its runner then loses the lease and commits nothing. */
  forceEnd(run: Run, now: number): Promise<boolean>;
  /** Updates a run that is not claimed by anyone (cancel a scheduled run). */
  updateUnclaimed(run: Run, expectedState: Run['state'], now: number): Promise<boolean>;
  cursor(flowId: string, db?: Db): Promise<FlowCursor | undefined>;
  /** Moves the cursor from `expectedEnd` (undefined = none yet); false if someone else moved it. */
  advanceCursor(
    tenant: Tenant,
    cursor: FlowCursor,
    expectedEnd: number | undefined,
    now: number,
    db: Db,
  ): Promise<boolean>;
  deleteForFlow(flowId: string): Promise<void>;
  /** Deletes ended runs completed before `before`; returns how many. */
  prune(before: number): Promise<number>;
  transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
}

const fromRow = (row: Pick<RunsTable, 'body'>): Run => JSON.parse(row.body) as Run;

const columnsOf = (run: Run, now: number) => ({
  state: run.state,
  active: ACTIVE_RUN_STATES.includes(run.state) ? 1 : 0,
  scheduled_at: run.scheduledAt,
  updated_at: now,
  body: JSON.stringify(run),
});

export function createRunRepository(db: Kysely<Database>): RunRepository {
  const repository: RunRepository = {
    async insertIfNoActive(run) {
      try {
        await db
          .insertInto('runs')
          .values({
            id: run.id,
            org_id: run.imsOrgId,
            sandbox_id: run.sandboxId,
            flow_id: run.flowId,
            lease_owner: null,
            lease_expires_at: null,
            created_at: run.createdAt,
            ...columnsOf(run, run.createdAt),
          })
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async get(tenant, id) {
      const row = await db
        .selectFrom('runs')
        .select('body')
        .where('id', '=', id)
        .where('org_id', '=', tenant.orgId)
        .where('sandbox_id', '=', tenant.sandboxId)
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async getById(id) {
      const row = await db.selectFrom('runs').select('body').where('id', '=', id).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async activeForFlow(flowId) {
      const row = await db
        .selectFrom('runs')
        .select('body')
        .where('flow_id', '=', flowId)
        .where('active', '=', 1)
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async latestForFlow(flowId) {
      const row = await db
        .selectFrom('runs')
        .select('body')
        .where('flow_id', '=', flowId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async scan(tenant, options) {
      let query = db
        .selectFrom('runs')
        .select('body')
        .where('org_id', '=', tenant.orgId)
        .where('sandbox_id', '=', tenant.sandboxId);
      if (options.flowId !== undefined) query = query.where('flow_id', '=', options.flowId);
      const after = options.after;
      const beyond = options.direction === 'asc' ? '>' : '<';
      if (after !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', beyond, Number(after.value)),
            eb.and([eb('created_at', '=', Number(after.value)), eb('id', beyond, after.id)]),
          ]),
        );
      }
      const rows = await query
        .orderBy('created_at', options.direction)
        .orderBy('id', options.direction)
        .limit(options.limit)
        .execute();
      return rows.map(fromRow);
    },

    async claimNext(owner, now, leaseMs) {
      // Candidates in due order; each claim is a compare-and-set, so a lost race just tries the next one.
      const candidates = await db
        .selectFrom('runs')
        .select(['id', 'body', 'state', 'lease_expires_at'])
        .where('active', '=', 1)
        .where('scheduled_at', '<=', now)
        .where((eb) => eb.or([eb('state', '=', 'scheduled'), eb('lease_expires_at', '<', now)]))
        .orderBy('scheduled_at')
        .limit(5)
        .execute();
      for (const candidate of candidates) {
        const current = fromRow(candidate);
        const claimed: Run = {
          ...current,
          state: 'inProgress',
          attempt: current.attempt + 1,
          startedAt: current.startedAt ?? now,
          updatedAt: now,
        };
        const result = await db
          .updateTable('runs')
          .set({ ...columnsOf(claimed, now), lease_owner: owner, lease_expires_at: now + leaseMs })
          .where('id', '=', candidate.id)
          .where('active', '=', 1)
          .where((eb) =>
            candidate.state === 'scheduled'
              ? eb('state', '=', 'scheduled')
              : eb.and([
                  eb('state', '=', 'inProgress'),
                  eb('lease_expires_at', '=', candidate.lease_expires_at),
                ]),
          )
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 1) return claimed;
      }
      return undefined;
    },

    async abandonBatches(runId, now) {
      const errors: BatchError[] = [
        {
          code: 'CONNECTOR-1001-500',
          message: `The runner writing this batch stopped (it crashed or lost its lease); run ${runId} was taken over and writes a new batch.`,
        },
      ];
      const result = await db
        .updateTable('batches')
        .set({ status: 'aborted', errors: JSON.stringify(errors), completed_at: now, updated_at: now })
        .where('run_id', '=', runId)
        .where('status', '=', 'loading')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async heartbeat(run, owner, now, leaseMs) {
      const result = await db
        .updateTable('runs')
        .set({ body: JSON.stringify(run), updated_at: now, lease_expires_at: now + leaseMs })
        .where('id', '=', run.id)
        .where('lease_owner', '=', owner)
        .where('state', '=', 'inProgress')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async finish(run, owner, now, on = db) {
      const result = await on
        .updateTable('runs')
        .set({
          ...columnsOf(run, now),
          lease_owner: run.state === 'scheduled' ? null : owner,
          lease_expires_at: null,
        })
        .where('id', '=', run.id)
        .where('lease_owner', '=', owner)
        .where('state', '=', 'inProgress')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async forceEnd(run, now) {
      const result = await db
        .updateTable('runs')
        .set({ ...columnsOf(run, now), lease_owner: null, lease_expires_at: null })
        .where('id', '=', run.id)
        .where('active', '=', 1)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async updateUnclaimed(run, expectedState, now) {
      const result = await db
        .updateTable('runs')
        .set(columnsOf(run, now))
        .where('id', '=', run.id)
        .where('state', '=', expectedState)
        .where('lease_owner', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async cursor(flowId, on = db) {
      const row = await on
        .selectFrom('flow_cursors')
        .selectAll()
        .where('flow_id', '=', flowId)
        .executeTakeFirst();
      return row
        ? {
            flowId: row.flow_id,
            committedEnd: row.committed_end,
            boundaryKeys: JSON.parse(row.boundary_keys) as string[],
            lastRunId: row.last_run_id,
          }
        : undefined;
    },

    async advanceCursor(tenant, cursor, expectedEnd, now, on) {
      const values = {
        committed_end: cursor.committedEnd,
        boundary_keys: JSON.stringify(cursor.boundaryKeys),
        last_run_id: cursor.lastRunId,
        updated_at: now,
      };
      if (expectedEnd === undefined) {
        try {
          await on
            .insertInto('flow_cursors')
            .values({ flow_id: cursor.flowId, org_id: tenant.orgId, sandbox_id: tenant.sandboxId, ...values })
            .execute();
          return true;
        } catch (error) {
          if (isUniqueViolation(error)) return false;
          throw error;
        }
      }
      const result = await on
        .updateTable('flow_cursors')
        .set(values)
        .where('flow_id', '=', cursor.flowId)
        .where('committed_end', '=', expectedEnd)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async deleteForFlow(flowId) {
      await db.deleteFrom('runs').where('flow_id', '=', flowId).where('active', '=', 0).execute();
      await db.deleteFrom('flow_cursors').where('flow_id', '=', flowId).execute();
    },

    async prune(before) {
      const result = await db
        .deleteFrom('runs')
        .where('active', '=', 0)
        .where('updated_at', '<', before)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    transaction: (work) => db.transaction().execute(work),
  };
  return repository;
}
