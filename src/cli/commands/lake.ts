/**
 * `sluice lake verify`: hashes every committed Parquet file of every live dataset (all organizations) and
 * compares it with the size and SHA-256 recorded in its batch at commit. Prints one line per damaged
 * file with its dataset, batch, flow and run (what a re-landing needs) and a summary; exits 1 when any
 * batch is damaged, 0 when the lake is intact. Batches committed before digests existed are checked by
 * size only and counted in the summary.
 */
import type { LakeVerification } from '../../services/datasets.ts';
import { UsageError, type CliContext } from '../context.ts';
import { formatTable } from '../table.ts';

export const LAKE_USAGE = 'usage: sluice lake verify';

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

export async function lakeCommand(ctx: CliContext): Promise<number> {
  const [action, ...rest] = ctx.args;
  if (action !== 'verify' || rest.length > 0) throw new UsageError(LAKE_USAGE);
  const started = performance.now();
  const result = await ctx.sluice.datasets.verifyLake();
  for (const line of formatVerification(result, (performance.now() - started) / 1000)) ctx.out(line);
  return result.damaged.length === 0 ? 0 : 1;
}
