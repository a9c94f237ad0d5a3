/** The failed-records file is read only from the batch's own lake folder, whatever the run recorded. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from '../domain/dataset.ts';
import type { Run } from '../domain/run.ts';
import { createFailedRecordsService } from './failed-records.ts';

const root = mkdtempSync(join(tmpdir(), 'sluice-failed-'));
const lake = join(root, 'lake');
const folder = join(lake, 'datasets', 'ds1', 'b1');
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, 'row-errors.jsonl'), '{"row":1}\n');
writeFileSync(join(root, 'secret.txt'), 'outside');
symlinkSync(join(root, 'secret.txt'), join(folder, 'link.jsonl'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const tenant = { orgId: 'o', sandboxId: 's', sandboxName: 'prod' };
const serviceFor = (rowErrorsFile: string | undefined, runBatch = 'b1') =>
  createFailedRecordsService({
    lakeDir: lake,
    datasets: { getBatch: () => Promise.resolve({ id: 'b1', datasetId: 'ds1', runId: 'r1' } as Batch) },
    runs: {
      load: () =>
        Promise.resolve({ id: 'r1', batchId: runBatch, ...(rowErrorsFile ? { rowErrorsFile } : {}) } as Run),
    },
  });

describe('failed records', () => {
  it("opens the file the batch's run wrote in the batch's folder", async () => {
    const [file, ...rest] = await serviceFor('datasets/ds1/b1/row-errors.jsonl').list(tenant, 'b1');
    expect(rest).toEqual([]);
    expect(file?.name).toBe('row-errors.jsonl');
    expect(file?.length).toBe(10);
    expect(await text(file!.open())).toBe('{"row":1}\n');
  });

  it.each([
    ['a path out of the lake', '../secret.txt'],
    ['a path into another batch', 'datasets/ds1/b2/row-errors.jsonl'],
    ['a symlink out of the folder', 'datasets/ds1/b1/link.jsonl'],
    ['a missing file', 'datasets/ds1/b1/none.jsonl'],
    ['no file', undefined],
  ])('offers nothing for %s', async (_label, recorded) => {
    expect(await serviceFor(recorded).list(tenant, 'b1')).toEqual([]);
  });

  it("offers nothing when the run's batch is another one", async () => {
    expect(await serviceFor('datasets/ds1/b1/row-errors.jsonl', 'b9').list(tenant, 'b1')).toEqual([]);
  });
});
