/**
 * The `pg-boss` engine: each due run is a pg-boss job `{ runId }` on the queue `sluice-runs` with
 * `singletonKey = flowId` under the `singleton` policy (at most one active job per flow, enforced by a
 * unique index of pg-boss's). The runs table stays the record of every run; the job is the right to
 * execute one.
 *
 * - enqueue: the job is sent with pg-boss's `db` option over the caller's Kysely transaction, so a run
 *   row and its job exist together or not at all;
 * - claim: `fetch()` one job, then take its run for the token `worker:job:retryCount` (a takeover when
 *   the job is a retry after a lost heartbeat); a job whose run has ended is completed and skipped;
 * - heartbeat: `touch()` the job fenced to the fetched attempt (pg-boss ≥ 12.35 refuses a stale attempt)
 *   and write progress conditioned on the token; either failing means the claim is lost. pg-boss's
 *   monitor fails a job whose heartbeat stopped; with retryDelay 0 it is fetched again at once;
 * - settle: in the caller's commit transaction, the run's final row (conditioned on the token) and the
 *   job's completion (fenced to the attempt) — both or neither; a stale worker's commit rolls back;
 * - release: the run back to scheduled, the old job completed and a fresh job sent, in one transaction;
 * - reconcile: an active run whose job was lost (pg-boss failed it for good after its retries, or it was
 *   deleted by hand) gets a new job.
 *
 * Known pg-boss issues guarded against, each with a test in test/run-queue.integration.test.ts:
 * duplicated active jobs of one key (#367, #581: our token fences the run row whatever pg-boss does),
 * batch fetches activating two jobs of one key (#535: we fetch one job at a time), cron schedules firing
 * twice (#592: we do not use pg-boss cron; windows come from our scheduler and the one-active-run index),
 * a stale worker's complete overwriting a newer attempt (#925: completions and touches are fenced).
 */
import { PgBoss, fromKysely, type JobAttempt } from 'pg-boss';
import type { Logger } from '../../domain/logger.ts';
import { isTerminal } from '../../domain/run.ts';
import type { RunRepository } from '../run-repository.ts';
import { handedBack, type QueueSettings, type RunClaim, type RunQueue } from './run-queue.ts';

export const RUN_QUEUE_NAME = 'sluice-runs';

export interface PgBossQueueOptions extends QueueSettings {
  readonly connectionString: string;
  /** pg-boss's own schema (created at start when missing). */
  readonly schema: string;
  /** How often pg-boss's monitor runs (fails jobs whose heartbeat stopped). */
  readonly monitorMs: number;
  readonly log: Logger;
}

interface RunJob {
  readonly runId: string;
}

/** The `affected` count pg-boss's command responses carry at run time (typed as `{}` in its d.ts). */
const affected = (response: unknown): number => Number((response as { affected?: unknown }).affected ?? 0);

export async function openPgBossRunQueue(
  runs: RunRepository,
  options: PgBossQueueOptions,
): Promise<RunQueue> {
  const { now, leaseMs, log } = options;
  const heartbeatSeconds = Math.max(10, Math.ceil(leaseMs / 1000));
  const monitorSeconds = Math.max(1, Math.round(options.monitorMs / 1000));
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: options.schema,
    max: 4,
    application_name: 'sluice-queue',
    superviseIntervalSeconds: monitorSeconds,
    monitorIntervalSeconds: monitorSeconds,
    // No pg-boss cron: windows come from Sluice's scheduler.
    schedule: false,
  });
  boss.on('error', (error: unknown) => {
    log.warn({ err: error }, 'run queue (pg-boss) reported an error');
  });
  await boss.start();
  const queueOptions = {
    heartbeatSeconds,
    // A run may take as long as it needs: only a lost heartbeat ends a claim. 24 h is pg-boss's maximum.
    expireInSeconds: 24 * 3600,
    // Retries are takeovers after a lost heartbeat; source trouble is retried inside the run.
    retryLimit: 1000,
    retryDelay: 0,
    deleteAfterSeconds: 24 * 3600,
  };
  const existing = await boss.getQueue(RUN_QUEUE_NAME);
  if (!existing) {
    await boss.createQueue(RUN_QUEUE_NAME, { policy: 'singleton', ...queueOptions });
  } else {
    // The queue keeps the options it was created with; the processes sharing it must agree on the
    // heartbeat (SLUICE_RUN_LEASE_MS), so the latest to start brings it in line and says so.
    if (existing.heartbeatSeconds !== heartbeatSeconds)
      log.warn(
        { was: existing.heartbeatSeconds, now: heartbeatSeconds },
        'the run queue heartbeat changed (SLUICE_RUN_LEASE_MS differs between processes?); jobs sent from now on use the new one',
      );
    await boss.updateQueue(RUN_QUEUE_NAME, queueOptions);
  }

  const attempts = new WeakMap<RunClaim, JobAttempt>();
  const attemptOf = (claim: RunClaim): JobAttempt => {
    const attempt = attempts.get(claim);
    if (!attempt) throw new Error(`claim ${claim.token} was not made by this queue`);
    return attempt;
  };
  const complete = async (attempt: JobAttempt, output: object, db?: Parameters<typeof fromKysely>[0]) => {
    try {
      return affected(
        await boss.complete(RUN_QUEUE_NAME, attempt, output, db === undefined ? {} : { db: fromKysely(db) }),
      );
    } catch {
      return 0;
    }
  };

  const queue: RunQueue = {
    engine: 'pg-boss',

    async enqueue(run, trx) {
      await boss.send(RUN_QUEUE_NAME, { runId: run.id } satisfies RunJob, {
        singletonKey: run.flowId,
        db: fromKysely(trx),
      });
    },

    async claim(workerId) {
      // A fetched job whose run has ended is completed and the next one tried (bounded per call).
      for (let tries = 0; tries < 20; tries += 1) {
        const [job] = await boss.fetch<RunJob>(RUN_QUEUE_NAME, { batchSize: 1 });
        if (!job) return undefined;
        const attempt: JobAttempt = { id: job.id, retryCount: job.retryCount };
        const token = `${workerId}:${job.id}:${String(job.retryCount)}`;
        const run =
          typeof job.data.runId === 'string'
            ? await runs.takeClaim(job.data.runId, token, now(), leaseMs)
            : undefined;
        if (run) {
          const claim: RunClaim = { run, token };
          attempts.set(claim, attempt);
          return claim;
        }
        await complete(attempt, { skipped: 'the run had already ended' });
      }
      return undefined;
    },

    async heartbeat(claim, progress) {
      let touched: number;
      try {
        touched = affected(await boss.touch(RUN_QUEUE_NAME, attemptOf(claim)));
      } catch (error) {
        log.warn({ err: error }, `run ${claim.run.id}: the queue heartbeat failed`);
        return true; // a transient queue error is not a lost claim; the run row still fences
      }
      if (touched !== 1) return false;
      return runs.heartbeat(progress, claim.token, now(), leaseMs);
    },

    async settle(claim, final, trx) {
      if (!(await runs.finish(final, claim.token, now(), trx))) return false;
      if ((await complete(attemptOf(claim), { state: final.state }, trx)) !== 1) return false;
      if (isTerminal(final.state)) await queue.advance(final.flowId, trx);
      return true;
    },

    release: (claim, run) =>
      runs.transaction(async (trx) => {
        if (!(await runs.finish(handedBack(run, now()), claim.token, now(), trx))) return false;
        // The old job may already have been failed by the monitor; the fresh one is what counts.
        await complete(attemptOf(claim), { handedBack: true }, trx);
        await queue.enqueue(run, trx);
        return true;
      }),

    async abandon(claim) {
      const attempt = attempts.get(claim);
      if (attempt) await complete(attempt, { abandoned: true });
    },

    async advance(flowId, trx) {
      const next = await runs.promoteNext(flowId, now(), trx);
      if (next) await queue.enqueue(next, trx);
    },

    async reconcile() {
      let repaired = 0;
      for (const run of await runs.staleActive(now() - 3 * leaseMs, 50)) {
        const jobs = await boss.findJobs<RunJob>(RUN_QUEUE_NAME, {
          key: run.flowId,
          data: { runId: run.id },
        });
        const live = jobs.some(
          (job) => job.state === 'created' || job.state === 'retry' || job.state === 'active',
        );
        if (live) continue;
        await boss.send(RUN_QUEUE_NAME, { runId: run.id } satisfies RunJob, { singletonKey: run.flowId });
        repaired += 1;
        log.warn({ runId: run.id }, `run ${run.id}: its queue job was lost; a new one was sent`);
      }
      return repaired;
    },

    async stats() {
      const counts = await runs.counts();
      return {
        engine: 'pg-boss',
        waiting: counts.queued + counts.scheduled,
        queued: counts.queued,
        active: counts.inProgress,
        ...(counts.oldestWaitingSince === undefined ? {} : { oldestWaitingSince: counts.oldestWaitingSince }),
      };
    },

    async ping() {
      await boss.getDb().executeSql('select 1', []);
    },

    async close() {
      await boss.stop({ graceful: false, close: true, timeout: 5_000 });
    },
  };
  return queue;
}
