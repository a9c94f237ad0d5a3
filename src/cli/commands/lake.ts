/**
 * `sluice lake verify`: hashes every committed Parquet file of every live dataset (all organizations) and
 * compares it with the size and SHA-256 recorded in its batch at commit. Prints one line per damaged
 * file with its dataset, batch, flow and run (what a re-landing needs) and a summary; exits 1 when any
 * batch is damaged, 0 when the lake is intact. Batches committed before digests existed are checked by
 * size only and counted in the summary.
 *
 * `--repair-from-source` then re-lands each damaged batch that a flow run wrote: a RE_TRIGGER of its run,
 * as the API's `POST /runs/{id}/action?op=RE_TRIGGER` does, queues a repair run that re-reads the run's
 * window from the source and, in its commit, replaces the damaged batch (a worker executes it). Exits 0
 * when every damaged batch got a repair run, 1 when one could not (not written by a flow, flow disabled or
 * deleted, …; the line says why).
 */
import { isAppError } from '../../domain/errors.ts';
import type { DamagedBatch, LakeVerification } from '../../services/datasets.ts';
import type { Sluice } from '../../sluice.ts';
import { jsonOutput, localSluice, UsageError, type CliContext } from '../context.ts';
import { formatTable } from '../table.ts';

export const LAKE_USAGE = 'usage: sluice lake verify [--repair-from-source]';

const PROBLEM = { missing: 'missing', size: 'size differs', digest: 'SHA-256 differs' } as const;

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;

export function formatVerification(result: LakeVerification, seconds: number): string[] {
  const lines: string[] = [];
  if (result.damaged.length > 0) {
    lines.push(
      formatTable(
        ['dataset', 'name', 'batch', 'flow', 'run', 'file', 'problem'],
        result.damaged.flatMap((batch) =>
          batch.files.map((file) => [
            batch.datasetId,
            batch.datasetName,
            batch.batchId,
            batch.flowId ?? '',
            batch.runId ?? '',
            file.path.split('/').at(-1) ?? file.path,
            file.problem === 'size'
              ? `${PROBLEM.size} (${file.actualBytes ?? 0} bytes, committed ${file.expectedBytes})`
              : PROBLEM[file.problem],
          ]),
        ),
      ),
      '',
    );
  }
  lines.push(
    `checked ${result.batches} batch(es), ${result.files} file(s), ${mib(result.bytes)} in ${seconds.toFixed(1)} s: ` +
      (result.damaged.length === 0
        ? 'no damage'
        : `${result.damaged.length} damaged batch(es), ${result.damaged.reduce((n, b) => n + b.files.length, 0)} damaged file(s)`) +
      (result.unverifiedFiles > 0
        ? `; ${result.unverifiedFiles} file(s) committed before digests were recorded were checked by size only`
        : ''),
  );
  return lines;
}

/** Queues the repair run of one damaged batch; the line to print and whether it was queued. */
async function repairBatch(sluice: Sluice, damaged: DamagedBatch): Promise<{ line: string; ok: boolean }> {
  const what = `batch ${damaged.batchId} (dataset ${damaged.datasetName})`;
  if (damaged.runId === null || damaged.flowId === null)
    return { line: `${what}: not written by a flow run; re-upload it`, ok: false };
  const sandbox = (await sluice.identity.listSandboxes(damaged.orgId)).find(
    (candidate) => candidate.id === damaged.sandboxId,
  );
  if (!sandbox) return { line: `${what}: its sandbox no longer exists`, ok: false };
  const actor = {
    orgId: damaged.orgId,
    sandboxId: sandbox.id,
    sandboxName: sandbox.name,
    userId: 'sluice-cli',
    clientId: 'sluice-cli',
  };
  try {
    const run = await sluice.runs.action(actor, damaged.runId, 'RE_TRIGGER');
    return {
      line: `${what}: repair run ${String(run['id'])} ${String(run['state'])} (re-reads run ${damaged.runId}'s window from the source; follow it with \`sluice runs watch ${String(run['id'])}\`)`,
      ok: true,
    };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { line: `${what}: not repaired: ${error.message} (${error.code})`, ok: false };
  }
}

export async function lakeCommand(ctx: CliContext): Promise<number> {
  const [action, ...rest] = ctx.args;
  const repair = ctx.flags['repair-from-source'] === true;
  if (action !== 'verify' || rest.length > 0) throw new UsageError(LAKE_USAGE);
  const sluice = localSluice(
    ctx,
    'lake verify',
    "it reads every organization's files in the server's lake directory, which no API route exposes",
  );
  const json = jsonOutput(ctx);
  const say = (line: string): void => {
    if (!json) ctx.out(line);
  };
  const started = performance.now();
  const result = await sluice.datasets.verifyLake();
  for (const line of formatVerification(result, (performance.now() - started) / 1000)) say(line);
  const repairs: { batchId: string; line: string; ok: boolean }[] = [];
  if (result.damaged.length > 0 && repair) {
    for (const damaged of result.damaged) {
      const outcome = await repairBatch(sluice, damaged);
      say(outcome.line);
      repairs.push({ batchId: damaged.batchId, ...outcome });
    }
  } else if (result.damaged.length > 0) {
    say('re-land the damaged batches from their sources with: sluice lake verify --repair-from-source');
  }
  if (json) ctx.out(JSON.stringify({ ...result, ...(repair ? { repairs } : {}) }, null, 2));
  if (result.damaged.length === 0) return 0;
  return repair && repairs.every((outcome) => outcome.ok) ? 0 : 1;
}
