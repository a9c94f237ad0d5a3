/**
 * `sluice runs list <flowId> [--limit N] | show <runId> | watch <runId>`: runs as the store holds them
 * (counters, window, errors, row error samples), in-process or from a remote server's GET /runs.
 */
import type { RunInfo } from '../backend.ts';
import { emit, positiveIntFlag, UsageError, type CliContext } from '../context.ts';
import { formatTable } from '../table.ts';
import { count, formatDuration, iso, RUN_HEADERS, runDuration, runRow, windowText } from './run-format.ts';
import { watchRun } from './run-watch.ts';

export const RUNS_USAGE =
  'usage: sluice runs list <flowId> [--limit N] | runs show <runId> | runs watch <runId> [--interval-ms N]';

export function printRunTable(ctx: CliContext, runs: readonly RunInfo[], now: number): void {
  ctx.out(
    formatTable(
      RUN_HEADERS,
      runs.map((run) => runRow(run, now)),
    ),
  );
}

function printRun(ctx: CliContext, run: RunInfo, now: number): void {
  const { out } = ctx;
  const c = run.counters;
  const duration = runDuration(run, now);
  out(`Run ${run.id} of flow ${run.flowId}`);
  out(`  state:      ${run.state} (${run.kind}, attempt ${run.attempt})`);
  if (run.retriggerOf !== undefined) out(`  retrigger:  of run ${run.retriggerOf}`);
  out(
    `  window:     ${windowText(run.window)}${run.deltaColumn === undefined ? '' : ` on ${run.deltaColumn}`}`,
  );
  out(`  created:    ${iso(run.createdAt)}`);
  if (run.startedAt !== undefined) out(`  started:    ${iso(run.startedAt)}`);
  if (run.copyCompletedAt !== undefined) out(`  copied:     ${iso(run.copyCompletedAt)}`);
  if (run.completedAt !== undefined) out(`  completed:  ${iso(run.completedAt)}`);
  if (duration !== undefined) out(`  duration:   ${formatDuration(duration)}`);
  out(
    `  records:    read ${count(c.inputRecords)}, written ${count(c.outputRecords)}, ` +
      `failed ${count(c.failedRecords)}, duplicates skipped ${count(c.duplicateRecords)}`,
  );
  out(
    `  bytes:      read ${count(c.inputBytes)}, written ${count(c.outputBytes)} in ${c.outputFiles} file(s)`,
  );
  if (run.progress !== undefined && run.state === 'inProgress') {
    out(`  progress:   read ${count(run.progress.rowsRead)} as of ${iso(run.progress.updatedAt)}`);
  }
  if (run.batchId !== undefined) out(`  batch:      ${run.batchId} in dataset ${run.dataSetId ?? ''}`);
  // Errors and reasons are printed whole (not as table cells, which clip long text).
  if (run.errors.length > 0) {
    out('');
    out('Errors:');
    for (const error of run.errors) out(`  ${error.code}: ${error.message}`);
  }
  const samples = run.rowErrorSamples ?? [];
  if (samples.length > 0) {
    const rowWidth = Math.max(3, ...samples.map((sample) => sample.row.length));
    const columnWidth = Math.max(6, ...samples.map((sample) => sample.column.length));
    out('');
    out(`Row errors (first ${samples.length}):`);
    out(`  ${'ROW'.padEnd(rowWidth)}  ${'COLUMN'.padEnd(columnWidth)}  REASON`);
    for (const sample of samples) {
      out(`  ${sample.row.padEnd(rowWidth)}  ${sample.column.padEnd(columnWidth)}  ${sample.reason}`);
    }
  }
  if (run.rowErrorsFile !== undefined) out(`All row errors: ${run.rowErrorsFile}`);
}

export async function runsCommand(ctx: CliContext): Promise<number> {
  const [action, id] = ctx.args;
  if ((action !== 'list' && action !== 'show' && action !== 'watch') || id === undefined) {
    throw new UsageError(RUNS_USAGE);
  }
  const limit = positiveIntFlag(ctx, 'limit', 20);
  const now = Date.now();
  if (action === 'list') {
    const runs = await ctx.backend.latestRuns(id, limit);
    emit(ctx, runs, () => {
      printRunTable(ctx, runs, now);
      ctx.out(`${runs.length} run(s), newest first`);
    });
    return 0;
  }
  if (action === 'show') {
    const run = await ctx.backend.getRun(id);
    emit(ctx, run, () => {
      printRun(ctx, run, now);
    });
    return 0;
  }
  return watchRun(ctx, id);
}
