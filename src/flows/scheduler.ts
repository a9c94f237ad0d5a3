/**
 * Creates the runs that are due: for every enabled flow with a schedule and no active run, the next
 * window from `nextDueRun`, inserted and enqueued in one transaction. Several schedulers may tick at
 * once (every worker runs one): the one-active-run-per-flow index makes the second insert a no-op, so
 * two schedulers never create the same window twice. Ticks that come while a flow's run is active are
 * collapsed, not lost: the next window starts at the committed cursor whenever it is created.
 */
import { createdMeta } from '../domain/entity.ts';
import type { Flow } from '../domain/flow-entities.ts';
import { newEtag, newId } from '../domain/ids.ts';
import { ZERO_COUNTERS, type Run, type RunKind, type RunWindow } from '../domain/run.ts';
import type { RunDeps } from './run-deps.ts';
import { nextDueRun } from './windows.ts';

export function deltaColumnOf(flow: Flow): string | undefined {
  const copy = flow.transformations.find((t) => t.name === 'Copy');
  const delta = copy?.params['deltaColumn'] as { name?: unknown } | undefined;
  return typeof delta?.name === 'string' ? delta.name : undefined;
}

/** A new scheduled run of `flow` for `window`, attributed to the flow's creator. */
export function newRun(
  flow: Flow,
  window: RunWindow,
  scheduledAt: number,
  now: number,
  kind: RunKind,
  extra: Partial<Run> = {},
): Run {
  const deltaColumn = deltaColumnOf(flow);
  return {
    ...createdMeta(
      newId(),
      {
        orgId: flow.imsOrgId,
        sandboxId: flow.sandboxId,
        sandboxName: flow.sandboxName,
        userId: flow.createdBy,
        clientId: flow.createdClient,
      },
      newEtag(now),
      now,
    ),
    flowId: flow.id,
    flowSpec: flow.flowSpec,
    state: 'scheduled',
    kind,
    window,
    ...(deltaColumn === undefined || flow.schedule?.frequency === 'once' ? {} : { deltaColumn }),
    scheduledAt,
    attempt: 0,
    counters: ZERO_COUNTERS,
    errors: [],
    sourceConnectionId: flow.sourceConnectionIds[0] ?? '',
    targetConnectionId: flow.targetConnectionIds[0] ?? '',
    ...extra,
  };
}

/**
 * Inserts `run` as the flow's current run and makes it due, in one transaction; false (and nothing
 * written) when the flow already has a current run.
 */
export function scheduleRun(ports: Pick<RunDeps, 'runs' | 'queue'>, run: Run): Promise<boolean> {
  return ports.runs.transaction(async (trx) => {
    if (!(await ports.runs.insertIfNoActive(run, trx))) return false;
    await ports.queue.enqueue(run, trx);
    return true;
  });
}

export function createScheduler(ports: Pick<RunDeps, 'flows' | 'runs' | 'queue' | 'settings' | 'now'>) {
  return {
    /** Creates every due run; returns how many were created. */
    async tick(): Promise<number> {
      let created = 0;
      let afterId: string | undefined;
      for (;;) {
        const flows = await ports.flows.scanGlobal({
          state: 'enabled',
          limit: 200,
          ...(afterId === undefined ? {} : { afterId }),
        });
        for (const flow of flows) {
          if (!flow.schedule || (await ports.runs.activeForFlow(flow.id))) continue;
          const now = ports.now();
          const cursor = await ports.runs.cursor(flow.id);
          const hasRuns = cursor !== undefined || (await ports.runs.latestForFlow(flow.id)) !== undefined;
          const due = nextDueRun({
            schedule: flow.schedule,
            committedEnd: cursor?.committedEnd,
            hasRuns,
            now,
            lagMs: ports.settings.safetyLagMs,
          });
          if (!due) continue;
          const run = newRun(flow, due.window, due.scheduledAt, now, 'scheduled');
          if (await scheduleRun(ports, run)) created += 1;
        }
        const last = flows.at(-1);
        if (flows.length < 200 || !last) return created;
        afterId = last.id;
      }
    },
  };
}
