/**
 * `sluice flows list | show <flowId> | run <flowId> [--wait]`. `run` creates the flow's next window now
 * (`runs.runNow`, in-process only); the runner of a server sharing this store executes it, and `--wait`
 * follows it. `list` and `show` work against a remote server too.
 */
import type { Flow } from '../../domain/flow-entities.ts';
import { deltaColumnOf } from '../../flows/scheduler.ts';
import { emit, jsonOutput, UsageError, type CliContext } from '../context.ts';
import { formatTable } from '../table.ts';
import { iso, lastRunText, scheduleText, windowText } from './run-format.ts';
import { printRunTable } from './runs.ts';
import { watchRun } from './run-watch.ts';

export const FLOWS_USAGE = 'usage: sluice flows list | flows show <flowId> | flows run <flowId> [--wait]';

function printFlow(ctx: CliContext, flow: Flow): void {
  const { out } = ctx;
  const [lastState, lastAt] = lastRunText(flow);
  const delta = deltaColumnOf(flow);
  out(`Flow ${flow.name} (${flow.id})`);
  out(`  state:       ${flow.state}`);
  if (flow.description !== undefined) out(`  description: ${flow.description}`);
  out(`  flowSpec:    ${flow.flowSpec.id} v${flow.flowSpec.version}`);
  out(`  source:      ${flow.sourceConnectionIds.join(', ')}`);
  out(`  target:      ${flow.targetConnectionIds.join(', ')}`);
  out(`  schedule:    ${scheduleText(flow.schedule)}`);
  out(`  delta:       ${delta ?? 'none (whole table)'}`);
  const mapping = flow.transformations.find((step) => step.name === 'Mapping');
  if (mapping !== undefined) out(`  mapping:     ${JSON.stringify(mapping.params)}`);
  if (flow.options !== undefined) out(`  options:     ${JSON.stringify(flow.options)}`);
  out(`  created:     ${iso(flow.createdAt)}   updated: ${iso(flow.updatedAt)}`);
  out(
    `  last run:    ${lastState === '' ? 'none yet' : `${lastState} at ${lastAt} (${flow.lastRunDetails?.id ?? ''})`}`,
  );
}

export async function flowsCommand(ctx: CliContext): Promise<number> {
  const [action, flowId] = ctx.args;
  if (action !== 'list' && action !== 'show' && action !== 'run') throw new UsageError(FLOWS_USAGE);
  if (action !== 'list' && flowId === undefined) throw new UsageError(FLOWS_USAGE);
  const { backend } = ctx;
  if (action === 'list') {
    const flows = await backend.listFlows();
    emit(ctx, flows, () => {
      ctx.out(
        formatTable(
          ['ID', 'NAME', 'STATE', 'SCHEDULE', 'LAST RUN', 'LAST RUN AT'],
          flows.map((flow) => [
            flow.id,
            flow.name,
            flow.state,
            scheduleText(flow.schedule),
            ...lastRunText(flow),
          ]),
        ),
      );
      ctx.out(`${flows.length} flow(s)`);
    });
    return 0;
  }
  const id = flowId ?? '';
  if (action === 'show') {
    const flow = await backend.getFlow(id);
    const runs = await backend.latestRuns(flow.id, 5);
    emit(ctx, { flow, runs }, () => {
      printFlow(ctx, flow);
      ctx.out('');
      if (runs.length === 0) ctx.out('No runs yet.');
      else {
        ctx.out(`Last ${runs.length} run(s), newest first:`);
        printRunTable(ctx, runs, Date.now());
      }
    });
    return 0;
  }
  const run = await backend.runNow(id);
  const wait = ctx.flags['wait'] === true;
  if (!jsonOutput(ctx)) {
    ctx.out(`Created run ${run.id}`);
    ctx.out(
      `  window: ${windowText(run.window)}${run.deltaColumn === undefined ? '' : ` on ${run.deltaColumn}`}`,
    );
  }
  if (wait) return watchRun(ctx, run.id);
  emit(ctx, run, () => {
    ctx.out(`A runner executes it; follow it with: sluice runs watch ${run.id}`);
  });
  return 0;
}
