/**
 * The `local` engine: the runs table is the queue. A claim is a compare-and-set of the run's row with a
 * lease that the heartbeat extends; an expired lease lets any process sharing the store claim the run
 * again. Used on the embedded SQLite store (one machine; the CLI and the server share the file) and
 * available on PostgreSQL with SLUICE_RUN_QUEUE=local.
 */
import { randomUUID } from 'node:crypto';
import { isTerminal } from '../../domain/run.ts';
import type { RunRepository } from '../run-repository.ts';
import { handedBack, type QueueSettings, type RunQueue } from './run-queue.ts';

export function createLocalRunQueue(runs: RunRepository, settings: QueueSettings): RunQueue {
  const { leaseMs, now } = settings;
  const queue: RunQueue = {
    engine: 'local',
    // The scheduled row is the queue entry; nothing else to write.
    enqueue: () => Promise.resolve(),

    async claim(workerId) {
      const token = `${workerId}:${randomUUID()}`;
      const run = await runs.claimNext(token, now(), leaseMs);
      return run === undefined ? undefined : { run, token };
    },

    heartbeat: (claim, progress) => runs.heartbeat(progress, claim.token, now(), leaseMs),

    async settle(claim, final, trx) {
      if (!(await runs.finish(final, claim.token, now(), trx))) return false;
      if (isTerminal(final.state)) await queue.advance(final.flowId, trx);
      return true;
    },

    release: (claim, run) => runs.finish(handedBack(run, now()), claim.token, now()),

    // The row already says who holds it; a lost or cancelled claim leaves nothing to undo.
    abandon: () => Promise.resolve(),

    async advance(flowId, trx) {
      const next = await runs.promoteNext(flowId, now(), trx);
      if (next) await queue.enqueue(next, trx);
    },

    reconcile: () => Promise.resolve(0),

    async stats() {
      const counts = await runs.counts();
      return {
        engine: 'local',
        waiting: counts.queued + counts.scheduled,
        queued: counts.queued,
        active: counts.inProgress,
        ...(counts.oldestWaitingSince === undefined ? {} : { oldestWaitingSince: counts.oldestWaitingSince }),
      };
    },

    async ping() {
      await runs.counts();
    },

    close: () => Promise.resolve(),
  };
  return queue;
}
