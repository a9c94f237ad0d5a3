/**
 * The failed-records file of a batch (the row errors a run wrote beside its Parquet files, JSON lines),
 * for the download in the spirit of Adobe's Data Access API (`/export/batches/{id}/failed`).
 *
 * Guarantees: only the file the batch's own run recorded is ever opened, and only when its real path lies
 * inside `<lake>/datasets/<datasetId>/<batchId>/` (no `..`, no symlink out of the lake); a batch of another
 * sandbox is not found; a batch without such a file answers EXPORT-1001-404.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { basename, join, sep } from 'node:path';
import { AppError } from '../domain/errors.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { DatasetService } from './datasets.ts';
import type { RunService } from './runs.ts';

export interface FailedRecordsFile {
  readonly name: string;
  readonly length: number;
  open(): ReadStream;
}

export interface FailedRecordsService {
  /** The batch's failed-records files (zero or one). */
  list(tenant: Tenant, batchId: string): Promise<FailedRecordsFile[]>;
}

export function createFailedRecordsService(deps: {
  readonly datasets: Pick<DatasetService, 'getBatch'>;
  readonly runs: Pick<RunService, 'load'>;
  readonly lakeDir: string;
}): FailedRecordsService {
  return {
    async list(tenant, batchId) {
      const batch = await deps.datasets.getBatch(tenant, batchId);
      const run =
        batch.runId === null ? undefined : await deps.runs.load(tenant, batch.runId).catch(() => undefined);
      const relative = run?.batchId === batch.id ? run.rowErrorsFile : undefined;
      if (relative === undefined) return [];
      const lake = await realpath(deps.lakeDir);
      const folder = join(lake, 'datasets', batch.datasetId, batch.id) + sep;
      let real: string;
      try {
        real = await realpath(join(lake, relative));
      } catch {
        return [];
      }
      if (!real.startsWith(folder)) return [];
      const info = await stat(real);
      if (!info.isFile()) return [];
      return [{ name: basename(real), length: info.size, open: () => createReadStream(real) }];
    },
  };
}

export const noFailedRecords = (batchId: string): AppError =>
  new AppError(
    'EXPORT-1001-404',
    `Batch ${batchId} has no failed-records file: its run skipped no rows, or ran with error diagnostics off.`,
    { id: batchId },
  );
