/**
 * `sluice lake verify`: every committed file of every live dataset (all tenants) hashed and compared with
 * the size and SHA-256 its batch recorded at commit. The outcome is a value listing each damaged batch
 * with its dataset, flow and run, so that a repair can re-land it (RE_TRIGGER of the run) without
 * verifying again. Batches committed before digests were recorded are checked by size only and counted.
 */
import type { Batch } from '../domain/dataset.ts';
import type { FileCheck, FileProblem, Lake } from '../lake/index.ts';
import type { DatasetRepository } from '../store/dataset-repository.ts';

/** A committed batch with at least one damaged file, with what a repair needs (its flow and run). */
export interface DamagedBatch {
  readonly datasetId: string;
  readonly datasetName: string;
  readonly orgId: string;
  readonly sandboxId: string;
  readonly batchId: string;
  readonly flowId: string | null;
  readonly runId: string | null;
  readonly files: readonly DamagedFile[];
}

export interface DamagedFile {
  readonly path: string;
  readonly problem: FileProblem;
  readonly expectedBytes: number;
  readonly actualBytes?: number;
}

/** The outcome of `verifyLake`: a value, so that a repair (RE_TRIGGER of each run) can act on it. */
export interface LakeVerification {
  readonly batches: number;
  readonly files: number;
  readonly bytes: number;
  /** Files of batches committed before digests were recorded: checked by size only. */
  readonly unverifiedFiles: number;
  readonly damaged: readonly DamagedBatch[];
}

const problemsOf = (checks: readonly FileCheck[]): DamagedFile[] =>
  checks.flatMap((check) =>
    check.problem === undefined
      ? []
      : [
          {
            path: check.path,
            problem: check.problem,
            expectedBytes: check.expectedBytes,
            ...(check.actualBytes === undefined ? {} : { actualBytes: check.actualBytes }),
          },
        ],
  );

/** The batch's damaged files, each hashed in full now; empty when the batch is intact. */
export async function damagedFiles(lake: Lake, batch: Pick<Batch, 'files'>): Promise<DamagedFile[]> {
  return problemsOf(await lake.verify(batch.files, { full: true }));
}

export async function verifyLake(repository: DatasetRepository, lake: Lake): Promise<LakeVerification> {
  let files = 0;
  let bytes = 0;
  let unverifiedFiles = 0;
  const damaged: DamagedBatch[] = [];
  const batches = await repository.committedBatches();
  for (const batch of batches) {
    const checks = await lake.verify(batch.files, { full: true });
    files += checks.length;
    bytes += batch.files.reduce((sum, file) => sum + file.bytes, 0);
    unverifiedFiles += checks.filter((check) => check.unverified).length;
    const bad = problemsOf(checks);
    if (bad.length === 0) continue;
    damaged.push({
      datasetId: batch.datasetId,
      datasetName: batch.datasetName,
      orgId: batch.imsOrg,
      sandboxId: batch.sandboxId,
      batchId: batch.id,
      flowId: batch.flowId,
      runId: batch.runId,
      files: bad,
    });
  }
  return { batches: batches.length, files, bytes, unverifiedFiles, damaged };
}
