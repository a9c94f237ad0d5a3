/** Runs as the screens use them: windows, durations, the active states, and "run now" for once flows. */
import { api, unwrap } from './api.ts';
import type { Flow, Run } from './model.ts';

export const ACTIVE = new Set(['scheduled', 'inProgress']);
export const isActive = (run: Run): boolean => ACTIVE.has(run.state);

export const copyActivity = (run: Run) => run.activities.find((activity) => activity.id === 'copyActivity');
export const promotionActivity = (run: Run) =>
  run.activities.find((activity) => activity.id === 'promotionActivity');

export const windowOf = (run: Run): { start?: number; end?: number } => {
  const extensions = copyActivity(run)?.durationSummary?.extensions;
  return {
    ...(extensions?.windowStart === undefined ? {} : { start: extensions.windowStart }),
    ...(extensions?.windowEnd === undefined ? {} : { end: extensions.windowEnd }),
  };
};

export const durationOf = (run: Run): number | undefined => {
  const { startedAtUTC, completedAtUTC } = run.metrics.durationSummary;
  return startedAtUTC === undefined ? undefined : (completedAtUTC ?? Date.now()) - startedAtUTC;
};

export const progressOf = (run: Run): { rowsRead: number; rowsWritten: number } | undefined =>
  (run as unknown as { progress?: { rowsRead: number; rowsWritten: number } }).progress;

/** A once flow's delta column: its Copy transformation (after a first run) or the wizard's label. */
export function deltaColumnOf(flow: Flow): string | undefined {
  const transformations = (
    flow as unknown as { transformations?: { name: string; params?: { deltaColumn?: { name?: string } } }[] }
  ).transformations;
  const copy = transformations?.find((t) => t.name === 'Copy')?.params?.deltaColumn?.name;
  if (copy !== undefined) return copy;
  const labels = (flow as unknown as { labels?: string[] }).labels ?? [];
  return labels.find((label) => label.startsWith('deltaColumn:'))?.slice('deltaColumn:'.length);
}

export async function latestRuns(flowId: string, limit: number): Promise<Run[]> {
  const page = unwrap(
    await api.GET('/data/foundation/flowservice/runs', {
      params: { query: { property: `flowId==${flowId}`, limit: String(limit) } },
    }),
  ) as unknown as { items?: Run[] };
  return page.items ?? [];
}

/**
 * "Run now" of a once flow: an on-demand run over the window from the end of the last successful run
 * (or the beginning) to now, so each run lands only the rows changed since the previous one.
 */
export async function runOnceNow(flow: Flow): Promise<string> {
  const runs = await latestRuns(flow.id, 100);
  const last = runs.find((run) => run.state === 'success');
  const start = (last === undefined ? undefined : windowOf(last).end) ?? 1000;
  const deltaColumn = deltaColumnOf(flow);
  const created = unwrap(
    await api.POST('/data/foundation/flowservice/runs', {
      body: {
        flowId: flow.id,
        params: {
          windowStartTime: start,
          windowEndTime: Math.max(Date.now(), start + 1000),
          ...(deltaColumn === undefined ? {} : { deltaColumn: { name: deltaColumn } }),
        },
      },
    }),
  );
  return created.id;
}
