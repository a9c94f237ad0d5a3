/**
 * The run queue: which worker executes which run, and when that right ends. One interface, two
 * engines — `local` (the runs table is the queue; the embedded SQLite default) and `pg-boss` (jobs on
 * the PostgreSQL store, for several workers on several machines) — held to one contract
 * (test/run-queue.integration.test.ts):
 *
 * - claim: a due run is handed to one worker at a time; its row turns `inProgress` with a fresh
 *   fencing token (`runs.lease_owner`) and `attempt + 1`;
 * - one per flow: a flow has at most one run holding its slot (scheduled or in progress; the partial
 *   unique index on runs), and pg-boss's `singleton` policy keeps at most one job active per flow;
 * - heartbeat loss → takeover: a claim not kept alive for `leaseMs` (pg-boss: its job's heartbeat) is
 *   lost; the run is claimed again, by any worker, with a new token;
 * - fenced commit: `settle` runs inside the caller's commit transaction and writes only while the
 *   claim's token still holds (and, with pg-boss, completes the job fenced to the fetched attempt), so a
 *   stale worker's late commit changes nothing: the caller rolls its transaction back;
 * - graceful hand-back: `release` makes a claimed run due again at once, for any worker.
 */
import type { Transaction } from 'kysely';
import { transition, type Run } from '../../domain/run.ts';
import type { Database } from '../schema.ts';

export interface RunClaim {
  /** The run as claimed: `inProgress`, its attempt counted. */
  readonly run: Run;
  /** The fencing token this claim wrote to the run's row; every write of the claim is conditioned on it. */
  readonly token: string;
}

export interface QueueStats {
  readonly engine: RunQueue['engine'];
  /** Runs waiting for a worker: scheduled (due) and queued behind their flow's current run. */
  readonly waiting: number;
  readonly queued: number;
  readonly active: number;
  /** Epoch ms since when the longest-waiting run has been due. */
  readonly oldestWaitingSince?: number;
}

export interface RunQueue {
  readonly engine: 'local' | 'pg-boss';
  /** Makes a run whose row `trx` just inserted or promoted as `scheduled` due for execution. */
  enqueue(run: Run, trx: Transaction<Database>): Promise<void>;
  /** Claims the next due run for `workerId`; undefined when none is due. */
  claim(workerId: string): Promise<RunClaim | undefined>;
  /** Keeps the claim alive and stores the run's progress; false once the claim is lost. */
  heartbeat(claim: RunClaim, progress: Run): Promise<boolean>;
  /**
   * Inside the caller's transaction: writes the claimed run's final row (success, failed, cancelled) and
   * moves the flow's slot to its next queued run. False when the claim was lost — the caller must then
   * roll the transaction back, so nothing it wrote alongside (a batch, a cursor) survives.
   */
  settle(claim: RunClaim, final: Run, trx: Transaction<Database>): Promise<boolean>;
  /** The claimed run back to `scheduled`, due at once for any worker (graceful stop). False if lost. */
  release(claim: RunClaim, run: Run): Promise<boolean>;
  /**
   * A claim given up without ending or handing back its run: the run was cancelled, or another claim
   * took it over. Harmless if the queue already considers it over.
   */
  abandon(claim: RunClaim): Promise<void>;
  /** After a run ended outside a claim (cancelled over the API): the flow's next queued run, if any, becomes due. */
  advance(flowId: string, trx: Transaction<Database>): Promise<void>;
  /**
   * Repairs what a crash between systems can leave: an active run with no job to execute it (pg-boss);
   * returns how many runs were made due again. A no-op for the local engine.
   */
  reconcile(): Promise<number>;
  stats(): Promise<QueueStats>;
  /** Throws when the queue cannot be reached (readiness; a property, handed to /readyz as a function). */
  readonly ping: () => Promise<void>;
  close(): Promise<void>;
}

export interface QueueSettings {
  /** A claim not kept alive for this long is lost (pg-boss: rounded up to whole seconds, at least 10). */
  readonly leaseMs: number;
  readonly now: () => number;
}

/** The run handed back: scheduled again, due now (the claim is cleared by the write). */
export const handedBack = (run: Run, now: number): Run =>
  transition(run, 'scheduled', now, { scheduledAt: now });
