/**
 * The integrity of committed batch files: each file's size and SHA-256 are recorded in its batch at
 * commit (the writer computes them), and checked before the file is read.
 *
 * Guarantees:
 * - `check` stats every file on every call (cheap): a missing file or one whose size differs from the
 *   recorded size is reported at once, on any read;
 * - the SHA-256 of a file is computed the first time this process reads it, and again whenever its
 *   identity on disk (size, mtime, ctime, inode) changed since; a file whose digest differs from the recorded
 *   one is reported, never read. So an overwrite in place is caught by the first read after it, and a
 *   restart re-verifies every file before its first read;
 * - `check(files, { full: true })` ignores that memory and hashes every file (`sluice lake verify`);
 * - a file committed before digests were recorded (no `sha256`) is checked by size only (`unverified`).
 *
 * Known limit: an overwrite that also restores size, mtime, ctime and inode (ctime cannot be set back
 * without changing the system clock) is not seen by a process that already verified the file, until it
 * restarts or `sluice lake verify` runs.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { BatchFile } from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import { resolveFile } from './layout.ts';

export type FileProblem = 'missing' | 'size' | 'digest';

export interface FileCheck {
  readonly path: string;
  /** undefined when the file is intact. */
  readonly problem?: FileProblem;
  readonly expectedBytes: number;
  readonly actualBytes?: number;
  /** True when no digest was recorded (a batch committed before digests), so only the size was checked. */
  readonly unverified: boolean;
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const identityOf = (info: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): string =>
  `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`;

export interface IntegrityChecker {
  check(files: readonly BatchFile[], options?: { full?: boolean }): Promise<FileCheck[]>;
}

export function createIntegrityChecker(root: string): IntegrityChecker {
  /** path → the on-disk identity the file had when its digest last matched. */
  const verified = new Map<string, string>();

  const checkOne = async (file: BatchFile, full: boolean): Promise<FileCheck> => {
    const absolute = resolveFile(root, file.path);
    const base = { path: file.path, expectedBytes: file.bytes, unverified: file.sha256 === undefined };
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') {
        verified.delete(file.path);
        return { ...base, problem: 'missing' };
      }
      throw error;
    }
    if (info.size !== file.bytes) {
      verified.delete(file.path);
      return { ...base, problem: 'size', actualBytes: info.size };
    }
    if (file.sha256 === undefined) return base;
    const identity = identityOf(info);
    if (!full && verified.get(file.path) === identity) return base;
    if ((await sha256OfFile(absolute)) !== file.sha256) {
      verified.delete(file.path);
      return { ...base, problem: 'digest', actualBytes: info.size };
    }
    verified.set(file.path, identity);
    return base;
  };

  return {
    async check(files, options = {}) {
      const out: FileCheck[] = [];
      // One at a time: hashing is I/O bound and a dataset may have thousands of files.
      for (const file of files) out.push(await checkOne(file, options.full === true));
      return out;
    },
  };
}

const DESCRIBE: Record<FileProblem, (check: FileCheck) => string> = {
  missing: () => 'is missing',
  size: (check) => `has ${check.actualBytes ?? 0} bytes where ${check.expectedBytes} were committed`,
  digest: () => 'does not match the SHA-256 recorded at commit',
};

/** LAKE-1101-500 for the first damaged file, naming dataset, batch and file (never a path outside the lake). */
export function damageError(check: FileCheck): AppError {
  const [, datasetId = '', batchId = '', name = ''] = check.path.split('/');
  const problem = check.problem ?? 'digest';
  return new AppError(
    'LAKE-1101-500',
    `Batch ${batchId} of dataset ${datasetId} is damaged: file ${name} ${DESCRIBE[problem](check)}. ` +
      'No rows were read from it; run `sluice lake verify` to list every damaged batch.',
    { datasetId, batchId, file: name, problem },
  );
}
