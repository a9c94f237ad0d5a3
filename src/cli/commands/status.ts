/**
 * `sluice status`: workers alive, queue depth, the runs executing now (and where), and the run that has
 * waited longest — for an operator deciding whether to add workers. Exit 0; `--output json` prints the
 * report as one JSON document.
 */
import { localSluice, type CliContext } from '../context.ts';
import { formatTable } from '../table.ts';
import { formatDuration } from './run-format.ts';

const iso = (ms: number): string => new Date(ms).toISOString();
const windowText = (window: { start: number | null; end: number }): string =>
  `[${window.start === null ? 'beginning' : iso(window.start)}, ${iso(window.end)})`;

export async function statusCommand(ctx: CliContext): Promise<number> {
  const sluice = localSluice(
    ctx,
    'status',
    "it reports every organization's workers and queue from the server's store, which no API route exposes",
  );
  const report = await sluice.status.report();
  if (ctx.flags['output'] === 'json') {
    ctx.out(JSON.stringify(report, null, 2));
    return 0;
  }
  const { queue, at } = report;
  ctx.out(
    `Queue (${queue.engine}): ${String(queue.waiting)} waiting (${String(queue.queued)} queued behind their flow's current run), ${String(queue.active)} running`,
  );
  ctx.out(
    report.oldestWaiting === undefined
      ? 'Oldest waiting: none'
      : `Oldest waiting: run ${report.oldestWaiting.id} of flow ${report.oldestWaiting.flowId} (${report.oldestWaiting.state}), due ${formatDuration(Math.max(0, at - report.oldestWaiting.scheduledAt))} ago, window ${windowText(report.oldestWaiting.window)}`,
  );
  ctx.out('');
  ctx.out(`Workers alive: ${String(report.workers.length)}`);
  if (report.workers.length > 0) {
    ctx.out(
      formatTable(
        ['WORKER', 'HOST', 'PID', 'RUNS', 'UP', 'SEEN'],
        report.workers.map((worker) => [
          worker.id,
          worker.host,
          worker.pid,
          `${String(worker.runs.length)}/${String(worker.concurrency)}`,
          formatDuration(at - worker.startedAt),
          `${formatDuration(Math.max(0, at - worker.seenAt))} ago`,
        ]),
      ),
    );
  }
  ctx.out('');
  ctx.out(`Running: ${String(report.active.length)}`);
  if (report.active.length > 0) {
    ctx.out(
      formatTable(
        ['RUN ID', 'FLOW', 'ATTEMPT', 'ROWS READ', 'FOR', 'WORKER'],
        report.active.map((run) => [
          run.id,
          run.flowId,
          run.attempt,
          run.rowsRead,
          run.startedAt === undefined ? '' : formatDuration(at - run.startedAt),
          run.worker ?? '(not seen)',
        ]),
      ),
    );
  }
  return 0;
}
