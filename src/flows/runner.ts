/**
 * The runner loop: tick the scheduler, claim a due run under a lease, execute it while a heartbeat
 * renews the lease and publishes live progress, record the outcome on the flow. A runner that dies
 * leaves its run `inProgress` with a lease that expires; the next claim (here or in another process)
 * takes the run over and redoes its window from the last commit.
 */
import { randomBytes } from 'node:crypto';
import type { Flow, LastRunDetails } from '../domain/flow-entities.ts';
import type { Run, RunCounters } from '../domain/run.ts';
import { createExecutor } from './executor.ts';
import type { RunnerPorts } from './ports.ts';
import { createScheduler } from './scheduler.ts';

export interface Runner {
  readonly owner: string;
  /** One pass: schedule due runs, then claim and execute runs until none is due. Returns runs executed. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createRunner(
  ports: RunnerPorts,
  owner = `runner-${process.pid}-${randomBytes(4).toString('hex')}`,
): Runner {
  const { runs, settings } = ports;
  const scheduler = createScheduler(ports);
  const execute = createExecutor(ports, owner);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let current: AbortController | undefined;
  let stopped = false;
  let lastPrune = 0;

  const recordOnFlow = async (run: Run): Promise<void> => {
    // System-side fact: written with the flow's own etag, so clients holding it are not disturbed.
    const details: LastRunDetails = {
      id: run.id,
      state: run.state,
      startedAtUTC: run.startedAt ?? run.createdAt,
      ...(run.completedAt === undefined ? {} : { completedAtUTC: run.completedAt }),
    };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const flow = await ports.flows.get(
        { orgId: run.imsOrgId, sandboxId: run.sandboxId, sandboxName: run.sandboxName },
        run.flowId,
      );
      if (!flow) return;
      const next: Flow = { ...flow, lastRunDetails: details };
      if (await ports.flows.update(next, flow.etag)) return;
    }
  };

  const executeClaimed = async (run: Run): Promise<void> => {
    if (run.attempt > 1) {
      // A takeover: the batch the previous attempt was writing will never be committed.
      await runs.abandonBatches(run.id, ports.now()).catch((error: unknown) => {
        ports.log('warn', `run ${run.id}: could not end the batches of its earlier attempt`, { err: error });
      });
    }
    const controller = new AbortController();
    current = controller;
    let counters: RunCounters = run.counters;
    let live = run;
    // Set from the heartbeat callback; an object so the check below is not narrowed away.
    const lease = { lost: false };
    const beat = setInterval(() => {
      const now = ports.now();
      live = {
        ...live,
        counters,
        progress: { rowsRead: counters.inputRecords, rowsWritten: counters.outputRecords, updatedAt: now },
      };
      runs
        .heartbeat(live, owner, now, settings.leaseMs)
        .then((held) => {
          if (!held) {
            lease.lost = true;
            controller.abort();
          }
        })
        .catch((error: unknown) => {
          ports.log('warn', `run ${run.id}: heartbeat failed`, { err: error });
        });
    }, settings.heartbeatMs);
    try {
      const outcome = await execute(run, controller.signal, (latest) => {
        counters = latest;
      });
      if (outcome) {
        ports.log(
          outcome.state === 'success' ? 'info' : 'warn',
          `run ${run.id} of flow ${run.flowId}: ${outcome.state}`,
          {
            records: outcome.counters.outputRecords,
            failed: outcome.counters.failedRecords,
            errors: outcome.errors,
          },
        );
        await recordOnFlow(outcome);
      } else if (stopped && !lease.lost) {
        // Stopped gracefully mid-run: hand the run back so the next runner starts it at once instead of
        // waiting for the lease to expire. Nothing of this attempt was committed.
        const now = ports.now();
        await runs
          .finish({ ...live, state: 'scheduled', updatedAt: now }, owner, now)
          .catch((error: unknown) => {
            ports.log('warn', `run ${run.id}: could not hand the run back`, { err: error });
          });
      }
    } finally {
      clearInterval(beat);
      current = undefined;
    }
  };

  const passOnce = async (): Promise<number> => {
    await scheduler.tick();
    let executed = 0;
    while (!stopped) {
      const run = await runs.claimNext(owner, ports.now(), settings.leaseMs);
      if (!run) break;
      executed += 1;
      await executeClaimed(run);
    }
    const now = ports.now();
    if (settings.retentionDays > 0 && now - lastPrune > 3_600_000) {
      lastPrune = now;
      await runs.prune(now - settings.retentionDays * 86_400_000);
    }
    return executed;
  };
  const passes = new Set<Promise<number>>();

  const runner: Runner = {
    owner,
    runOnce() {
      // Tracked so stop() waits for a pass started directly, not only by start().
      const pass = passOnce();
      passes.add(pass);
      void pass.finally(() => passes.delete(pass)).catch(() => undefined);
      return pass;
    },
    start() {
      stopped = false;
      const loop = (): void => {
        running = runner
          .runOnce()
          .catch((error: unknown) => {
            ports.log('error', 'runner pass failed', { err: error });
          })
          .finally(() => {
            if (!stopped) timer = setTimeout(loop, settings.pollMs);
          });
      };
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      current?.abort();
      await running;
      await Promise.allSettled([...passes]);
      // Stopped means "stop what runs now"; a later runOnce() or start() works again.
      stopped = false;
    },
  };
  return runner;
}
