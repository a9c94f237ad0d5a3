/**
 * Runs and flow cursors. Claims are compare-and-set updates (a run is taken only if it is still
 * scheduled, or its lease has expired), so several runner processes can share one PostgreSQL store.
 * Every write a runner makes to a claimed run is conditioned on it still holding the lease.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { ACTIVE_RUN_STATES, PENDING_RUN_STATES, transition, type Run } from '../domain/run.ts';
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

export interface RunCounts {
  readonly queued: number;
  readonly scheduled: number;
  readonly inProgress: number;
  /** When the longest-waiting queued or scheduled run became due (epoch ms). */
  readonly oldestWaitingSince?: number;
}

export interface RunRepository {
  /**
   * Inserts a scheduled run unless the flow already has an active one; false when it does. Safe inside a
   * transaction on both stores (a conflict is ON CONFLICT DO NOTHING, not an error that aborts it).
   */
  insertIfNoActive(run: Run, db?: Db): Promise<boolean>;
  /** Inserts a run `queued` behind the flow's current run (it holds no slot until promoted). */
  insertQueued(run: Run, db?: Db): Promise<void>;
  /** Runs of the flow that have not ended (queued, scheduled, in progress), oldest first. */
  pendingForFlow(flowId: string): Promise<Run[]>;
  /**
   * Moves the flow's oldest queued run to `scheduled` (it now holds the flow's slot) when no run holds
   * it; returns the promoted run, or undefined.
   */
  promoteNext(flowId: string, now: number, db: Db): Promise<Run | undefined>;
  /**
   * Takes `runId` for the claim `token`, as the queue decided: scheduled → inProgress, or inProgress →
   * inProgress (a takeover: the previous claim's token stops matching, so its writes all fail). Returns
   * the claimed run, or undefined when the run has ended or no longer exists.
   */
  takeClaim(runId: string, token: string, now: number, leaseMs: number): Promise<Run | undefined>;
  /** How many runs wait or run, for `sluice status` and the queue's stats. */
  counts(): Promise<RunCounts>;
  /** Runs in progress (any tenant), the longest-running first, and the longest-waiting due runs. */
  inProgress(limit: number): Promise<Run[]>;
  oldestWaiting(): Promise<Run | undefined>;
  /** Active runs whose row was not written since `before`: candidates for the queue's reconciler. */
  staleActive(before: number, limit: number): Promise<Run[]>;
  get(tenant: Tenant, id: string): Promise<Run | undefined>;
  getById(id: string): Promise<Run | undefined>;
  activeForFlow(flowId: string): Promise<Run | undefined>;
  latestForFlow(flowId: string): Promise<Run | undefined>;
  scan(tenant: Tenant, options: RunScan): Promise<Run[]>;
  /** Claims the oldest due run (scheduled, or in progress with an expired lease). */
  claimNext(owner: string, now: number, leaseMs: number): Promise<Run | undefined>;
  /** Extends the lease and stores progress; false when the lease is no longer ours. */
  heartbeat(run: Run, owner: string, now: number, leaseMs: number): Promise<boolean>;
  /** Ends (or hands back) a claimed run; false when the lease is no longer ours. */
  finish(run: Run, owner: string, now: number, db?: Db): Promise<boolean>;
  /** Ends an active run whoever holds it (cancel); its runner then loses the lease and commits nothing. */
  forceEnd(run: Run, now: number, db?: Db): Promise<boolean>;
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

const rowOf = (run: Run) => ({
  id: run.id,
  org_id: run.imsOrgId,
  sandbox_id: run.sandboxId,
  flow_id: run.flowId,
  lease_owner: null,
  lease_expires_at: null,
  created_at: run.createdAt,
  ...columnsOf(run, run.createdAt),
});

const columnsOf = (run: Run, now: number) => ({
  state: run.state,
  active: ACTIVE_RUN_STATES.includes(run.state) ? 1 : 0,
  scheduled_at: run.scheduledAt,
  updated_at: now,
  body: JSON.stringify(run),
});

export function createRunRepository(db: Kysely<Database>): RunRepository {
  const repository: RunRepository = {
    async insertIfNoActive(run, on = db) {
      const result = await on
        .insertInto('runs')
        .values(rowOf(run))
        // The partial unique index runs_one_active_per_flow (flow_id WHERE active = 1) is the guard.
        .onConflict((oc) => oc.column('flow_id').where(sql.ref('active'), '=', sql.lit(1)).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    async insertQueued(run, on = db) {
      await on.insertInto('runs').values(rowOf(run)).execute();
    },

    async pendingForFlow(flowId) {
      const rows = await db
        .selectFrom('runs')
        .select('body')
        .where('flow_id', '=', flowId)
        .where('state', 'in', [...PENDING_RUN_STATES])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(fromRow);
    },

    async promoteNext(flowId, now, on) {
      const next = await on
        .selectFrom('runs')
        .select('body')
        .where('flow_id', '=', flowId)
        .where('state', '=', 'queued')
        .orderBy('created_at')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (!next) return undefined;
      const queued = fromRow(next);
      const promoted = transition(queued, 'scheduled', now, { scheduledAt: now });
      const result = await on
        .updateTable('runs')
        .set(columnsOf(promoted, now))
        .where('id', '=', queued.id)
        .where('state', '=', 'queued')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('runs as holder')
                .select('holder.id')
                .where('holder.flow_id', '=', flowId)
                .where('holder.active', '=', 1),
            ),
          ),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? promoted : undefined;
    },

    async takeClaim(runId, token, now, leaseMs) {
      const row = await db
        .selectFrom('runs')
        .select(['body', 'state', 'lease_owner'])
        .where('id', '=', runId)
        .executeTakeFirst();
      if (!row || (row.state !== 'scheduled' && row.state !== 'inProgress')) return undefined;
      const current = fromRow(row);
      const claimed = transition(current, 'inProgress', now, {
        attempt: current.attempt + 1,
        startedAt: current.startedAt ?? now,
      });
      const result = await db
        .updateTable('runs')
        .set({ ...columnsOf(claimed, now), lease_owner: token, lease_expires_at: now + leaseMs })
        .where('id', '=', runId)
        .where('state', '=', row.state)
        .where((eb) =>
          row.lease_owner === null ? eb('lease_owner', 'is', null) : eb('lease_owner', '=', row.lease_owner),
        )
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? claimed : undefined;
    },

    async counts() {
      const rows = await db
        .selectFrom('runs')
        .select((eb) => [
          'state',
          eb.fn.countAll<number>().as('n'),
          eb.fn.min<number>('scheduled_at').as('oldest'),
        ])
        .where('state', 'in', [...PENDING_RUN_STATES])
        .groupBy('state')
        .execute();
      const of = (state: string) => rows.find((row) => row.state === state);
      const waiting = rows
        .filter((row) => row.state !== 'inProgress')
        .map((row) => row.oldest)
        .filter((value) => Number.isFinite(value));
      return {
        queued: of('queued')?.n ?? 0,
        scheduled: of('scheduled')?.n ?? 0,
        inProgress: of('inProgress')?.n ?? 0,
        ...(waiting.length === 0 ? {} : { oldestWaitingSince: Math.min(...waiting) }),
      };
    },

    async inProgress(limit) {
      const rows = await db
        .selectFrom('runs')
        .select('body')
        .where('state', '=', 'inProgress')
        .orderBy('scheduled_at')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
    },

    async oldestWaiting() {
      const row = await db
        .selectFrom('runs')
        .select('body')
        .where('state', 'in', ['queued', 'scheduled'])
        .orderBy('scheduled_at')
        .limit(1)
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async staleActive(before, limit) {
      const rows = await db
        .selectFrom('runs')
        .select('body')
        .where('active', '=', 1)
        .where('updated_at', '<', before)
        .orderBy('updated_at')
        .limit(limit)
        .execute();
      return rows.map(fromRow);
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
        const claimed = transition(current, 'inProgress', now, {
          attempt: current.attempt + 1,
          startedAt: current.startedAt ?? now,
        });
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

    async forceEnd(run, now, on = db) {
      const result = await on
        .updateTable('runs')
        .set({ ...columnsOf(run, now), lease_owner: null, lease_expires_at: null })
        .where('id', '=', run.id)
        .where('state', 'in', [...PENDING_RUN_STATES])
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
