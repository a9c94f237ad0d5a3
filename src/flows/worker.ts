/**
 * A worker: ticks the scheduler, claims due runs from the run queue (up to `concurrency` at once),
 * executes each while a heartbeat keeps its claim alive and publishes live progress, and records the
 * outcome on the flow. `sluice worker` is one; `npm start` runs one beside the API.
 *
 * - A claim the heartbeat finds lost (taken over after this worker stalled, or the run cancelled)
 *   aborts the run at once; it commits nothing (execute.ts) and the claim is abandoned.
 * - A run taken over from a worker that died first ends the batches the dead attempt left loading and
 *   removes their files (staged or renamed), instead of leaving them to the next restart's lake GC.
 * - stop(): no new claims; active runs get `graceMs` to finish, then are aborted and handed back, so
 *   another worker starts them at once. SIGKILL loses nothing either: the claim lapses and is taken over.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Flow, LastRunDetails } from '../domain/flow-entities.ts';
import type { Run } from '../domain/run.ts';
import { isStoreUnavailable } from '../store/availability.ts';
import type { RunClaim } from '../store/queue/run-queue.ts';
import type { WorkerRepository } from '../store/worker-repository.ts';
import type { CopyProgress } from './copy.ts';
import { executeRun } from './execute.ts';
import type { RunDeps } from './run-deps.ts';
import { createScheduler } from './scheduler.ts';

export interface WorkerSettings {
  /** Runs executed at once. */
  readonly concurrency: number;
  /** How often the worker looks for due windows and runs. */
  readonly pollMs: number;
  /** How often an active run's claim is kept alive (and its progress written). */
  readonly heartbeatMs: number;
  /** How long stop() lets active runs finish before handing them back. */
  readonly graceMs: number;
  readonly retentionDays: number;
}

export interface WorkerDeps extends RunDeps {
  readonly workers: WorkerRepository;
  readonly worker: WorkerSettings;
}

export interface Worker {
  readonly id: string;
  /** One pass: schedule due runs, then claim and execute runs one by one until none is due. */
  runOnce(): Promise<number>;
  /** Creates the runs that are due now, without executing them; returns how many. */
  tick(): Promise<number>;
  start(): void;
  stop(graceMs?: number): Promise<void>;
  /** Ids of the runs executing now. */
  active(): string[];
}

const STOPPING = 'the worker is stopping';
const LOST = 'the claim was lost';
const RECONCILE_EVERY_MS = 30_000;
const PRUNE_EVERY_MS = 3_600_000;

export function createWorker(
  deps: WorkerDeps,
  id = `${hostname()}-${String(process.pid)}-${randomBytes(3).toString('hex')}`,
): Worker {
  const { queue, worker: settings } = deps;
  const scheduler = createScheduler(deps);
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const passes = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;
  let beat: NodeJS.Timeout | undefined;
  let stopping = false;
  // Read through a function: stop() sets it while a pass awaits, which narrowing would not see.
  const isStopping = (): boolean => stopping;
  let started = false;
  let lastReconcile = 0;
  let lastPrune = 0;
  let storeDown = false;
  const startedAt = deps.now();

  const register = (): Promise<void> =>
    deps.workers.upsert({
      id,
      host: hostname(),
      pid: process.pid,
      concurrency: settings.concurrency,
      startedAt,
      seenAt: deps.now(),
      runs: [...running.keys()],
    });

  const recordOnFlow = async (run: Run): Promise<void> => {
    // System-side fact, written with the flow's own etag so clients holding it are not disturbed.
    const details: LastRunDetails = {
      id: run.id,
      state: run.state,
      startedAtUTC: run.startedAt ?? run.createdAt,
      ...(run.completedAt === undefined ? {} : { completedAtUTC: run.completedAt }),
    };
    const tenant = { orgId: run.imsOrgId, sandboxId: run.sandboxId, sandboxName: run.sandboxName };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const flow = await deps.flows.get(tenant, run.flowId);
      if (!flow) return;
      const next: Flow = { ...flow, lastRunDetails: details };
      if (await deps.flows.update(next, flow.etag)) return;
    }
  };

  const execute = async (claim: RunClaim, controller: AbortController): Promise<void> => {
    const { run } = claim;
    if (run.attempt > 1) {
      const ended = await deps.batches.abandonRunBatches(run.id).catch((error: unknown) => {
        deps.log.warn({ err: error }, `run ${run.id}: could not clean up its earlier attempt`);
        return 0;
      });
      deps.log.info(
        { abandonedBatches: ended },
        `run ${run.id}: taken over (attempt ${String(run.attempt)})`,
      );
    }
    const progress: CopyProgress = { counters: run.counters };
    const live = (): Run => ({
      ...run,
      counters: progress.counters,
      progress: {
        rowsRead: progress.counters.inputRecords,
        rowsWritten: progress.counters.outputRecords,
        updatedAt: deps.now(),
      },
    });
    const heartbeat = setInterval(() => {
      queue
        .heartbeat(claim, live())
        .then((held) => {
          if (!held) controller.abort(LOST);
        })
        .catch((error: unknown) => {
          deps.log.warn({ err: error }, `run ${run.id}: heartbeat failed`);
        });
    }, settings.heartbeatMs);
    try {
      const outcome = await executeRun(deps, claim, controller.signal, progress);
      if (outcome.kind === 'ended') {
        const final = outcome.run;
        deps.log[final.state === 'success' ? 'info' : 'warn'](
          {
            records: final.counters.outputRecords,
            failed: final.counters.failedRecords,
            errors: final.errors,
          },
          `run ${run.id} of flow ${run.flowId}: ${final.state}`,
        );
        await recordOnFlow(final);
      } else if (controller.signal.reason === STOPPING) {
        // Nothing of this attempt was committed: hand the run back so another worker starts it now.
        await queue.release(claim, live()).catch((error: unknown) => {
          deps.log.warn({ err: error }, `run ${run.id}: could not hand the run back`);
        });
      } else {
        await queue.abandon(claim).catch(() => undefined);
      }
    } finally {
      clearInterval(heartbeat);
    }
  };

  /** Starts `claim` in the background, tracked until it ends. */
  const launch = (claim: RunClaim): void => {
    const controller = new AbortController();
    const done = execute(claim, controller)
      .catch((error: unknown) => {
        deps.log.error({ err: error }, `run ${claim.run.id}: the worker failed to execute it`);
      })
      .finally(() => running.delete(claim.run.id));
    running.set(claim.run.id, { controller, done });
  };

  const maintain = async (): Promise<void> => {
    const now = deps.now();
    if (now - lastReconcile > RECONCILE_EVERY_MS) {
      lastReconcile = now;
      await queue.reconcile();
    }
    if (settings.retentionDays > 0 && now - lastPrune > PRUNE_EVERY_MS) {
      lastPrune = now;
      await deps.runs.prune(now - settings.retentionDays * 86_400_000);
    }
  };

  const worker: Worker = {
    id,
    active: () => [...running.keys()],
    tick: () => scheduler.tick(),

    async runOnce() {
      const pass = (async () => {
        await scheduler.tick();
        let executed = 0;
        while (!isStopping()) {
          const claim = await queue.claim(id);
          if (!claim) break;
          executed += 1;
          launch(claim);
          await running.get(claim.run.id)?.done;
        }
        await maintain();
        return executed;
      })();
      passes.add(pass);
      void pass.finally(() => passes.delete(pass)).catch(() => undefined);
      return pass;
    },

    start() {
      if (started) return;
      started = true;
      stopping = false;
      void register().catch((error: unknown) => {
        deps.log.warn({ err: error }, 'could not register the worker');
      });
      beat = setInterval(
        () => {
          void register().catch(() => undefined);
        },
        Math.max(settings.heartbeatMs, 1000),
      );
      const loop = async (): Promise<void> => {
        if (stopping) return;
        const pass = onePass();
        passes.add(pass);
        await pass;
        passes.delete(pass);
        if (!isStopping()) timer = setTimeout(() => void loop(), settings.pollMs);
      };
      // One pass of the loop, tracked so stop() waits for it (a scheduler tick half done, say).
      const onePass = async (): Promise<void> => {
        try {
          await scheduler.tick();
          while (!isStopping() && running.size < settings.concurrency) {
            const claim = await queue.claim(id);
            if (!claim) break;
            launch(claim);
          }
          await maintain();
          if (storeDown) {
            storeDown = false;
            deps.log.info({}, 'worker: the store is reachable again; claiming runs');
          }
        } catch (error) {
          // A store outage is said once (and once when it is over), not on every poll.
          if (isStoreUnavailable(error)) {
            if (!storeDown) deps.log.warn({ err: error }, 'worker: the store is unreachable; waiting for it');
            storeDown = true;
          } else deps.log.error({ err: error }, 'worker pass failed');
        }
      };
      void loop();
    },

    async stop(graceMs = settings.graceMs) {
      stopping = true;
      clearTimeout(timer);
      clearInterval(beat);
      const active = [...running.values()];
      if (active.length > 0) {
        const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
        await Promise.race([Promise.allSettled(active.map((entry) => entry.done)), grace]);
        for (const entry of running.values()) entry.controller.abort(STOPPING);
        await Promise.allSettled([...running.values()].map((entry) => entry.done));
      }
      await Promise.allSettled([...passes]);
      if (started) await deps.workers.remove(id).catch(() => undefined);
      started = false;
      // Stopped means "stop what runs now"; a later runOnce() or start() works again.
      stopping = false;
    },
  };
  return worker;
}
