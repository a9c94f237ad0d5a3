/**
 * The state of the run machinery for operators (`sluice status`): which workers are alive, how deep the
 * queue is, which runs are executing and on which worker, and the run that has waited longest. Across
 * all tenants; it shows ids, counts and windows, never a flow's configuration or a secret.
 */
import type { Run } from '../domain/run.ts';
import type { QueueStats, RunQueue } from '../store/queue/run-queue.ts';
import type { RunRepository } from '../store/run-repository.ts';
import type { WorkerRecord, WorkerRepository } from '../store/worker-repository.ts';

export interface StatusReport {
  readonly at: number;
  readonly queue: QueueStats;
  readonly workers: readonly WorkerRecord[];
  readonly active: readonly (Pick<Run, 'id' | 'flowId' | 'attempt' | 'startedAt' | 'window'> & {
    readonly rowsRead: number;
    readonly worker?: string;
  })[];
  readonly oldestWaiting?: Pick<Run, 'id' | 'flowId' | 'state' | 'scheduledAt' | 'window'>;
}

export interface StatusService {
  report(): Promise<StatusReport>;
}

export function createStatusService(deps: {
  readonly queue: RunQueue;
  readonly runs: RunRepository;
  readonly workers: WorkerRepository;
  /** A worker not seen for this long is not alive (a few of its heartbeats). */
  readonly aliveWithinMs: number;
  readonly now?: () => number;
}): StatusService {
  const now = deps.now ?? Date.now;
  return {
    async report() {
      const at = now();
      const [queue, workers, active, waiting] = await Promise.all([
        deps.queue.stats(),
        deps.workers.seenSince(at - deps.aliveWithinMs),
        deps.runs.inProgress(100),
        deps.runs.oldestWaiting(),
      ]);
      const owners = new Map(
        workers.flatMap((worker) => worker.runs.map((runId) => [runId, worker.id] as const)),
      );
      return {
        at,
        queue,
        workers,
        active: active.map((run) => {
          const worker = owners.get(run.id);
          return {
            id: run.id,
            flowId: run.flowId,
            attempt: run.attempt,
            ...(run.startedAt === undefined ? {} : { startedAt: run.startedAt }),
            window: run.window,
            rowsRead: run.progress?.rowsRead ?? 0,
            ...(worker === undefined ? {} : { worker }),
          };
        }),
        ...(waiting === undefined
          ? {}
          : {
              oldestWaiting: {
                id: waiting.id,
                flowId: waiting.flowId,
                state: waiting.state,
                scheduledAt: waiting.scheduledAt,
                window: waiting.window,
              },
            }),
      };
    },
  };
}
