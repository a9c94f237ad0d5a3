/**
 * A lake that detects damage (SQLite store, DuckDB lake, in process): a committed file overwritten in
 * place (4 KiB), truncated, deleted, grown, or replaced by another batch's file is never read. Preview,
 * `sluice query` and the API answer LAKE-1101-500 naming the batch and file instead of a wrong answer or a
 * 500, and `sluice lake verify` lists every damaged batch with its dataset, flow and run.
 */
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  copyFileSync,
  openSync,
  closeSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../test/support/sluice.ts';
import { runCommand } from '../cli/main.ts';
import type { Batch, BatchFile } from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import type { Tenant } from '../domain/tenancy.ts';

let t: TestSluice;
let tenant: Tenant;
beforeAll(async () => {
  t = await startTestSluice();
  const sandbox = (await t.sluice.identity.listSandboxes(t.credentials.org.id))[0];
  tenant = { orgId: t.credentials.org.id, sandboxId: sandbox?.id ?? '', sandboxName: 'prod' };
});
afterAll(async () => {
  await t.close();
});

const ROWS = 10_000;
/** The sum of 1..ROWS cents, as the query returns it. */
const EXPECTED_SUM = ((ROWS * (ROWS + 1)) / 2 / 100).toFixed(2);

/** A dataset with one committed batch of ROWS rows, written by a flow run (flow and run ids given). */
async function committedDataset(): Promise<{
  name: string;
  id: string;
  batch: Batch;
  file: BatchFile;
  path: string;
}> {
  const name = `damage_${randomBytes(4).toString('hex')}`;
  const actor = { ...tenant, userId: 'u', clientId: 'c' };
  const dataset = await t.sluice.datasets.create(actor, {
    name,
    schema: {
      fields: [
        { name: 'id', type: 'long' },
        { name: 'label', type: 'string' },
        { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
      ],
    },
  });
  const flowId = `flow-${name}`;
  const runId = `run-${name}`;
  const { batch, writer } = await t.sluice.datasets.beginBatch(tenant, dataset.id, { flowId, runId });
  await writer.append(
    Array.from({ length: ROWS }, (_, index) => ({
      id: index + 1,
      label: `row ${index + 1} ${randomBytes(6).toString('hex')}`,
      amount: ((index + 1) / 100).toFixed(2),
    })),
  );
  const result = await writer.finish();
  await t.sluice.datasets.commitBatch(batch.id, result);
  const committed = await t.sluice.datasets.getBatch(tenant, batch.id);
  const file = committed.files[0] as BatchFile;
  return { name, id: dataset.id, batch: committed, file, path: join(t.sluice.lake.dir, file.path) };
}

const sumOf = async (name: string): Promise<unknown> =>
  (await t.sluice.datasets.query(tenant, `SELECT sum(amount) AS total FROM dataset('${name}')`)).rows[0]?.[0];

async function refusal(work: Promise<unknown>): Promise<AppError> {
  const outcome = await work.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(AppError);
  return outcome as AppError;
}

describe('committed batches record their files', () => {
  it('records each file size and SHA-256 at commit', async () => {
    const { file, path } = await committedDataset();
    expect(file.bytes).toBe(statSync(path).size);
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(file.bytes).toBeGreaterThan(32 * 1024);
  });
});

const damages: [string, (path: string, other: string) => void, string][] = [
  [
    'a 4 KiB overwrite inside the file',
    (path) => {
      const fd = openSync(path, 'r+');
      writeSync(fd, randomBytes(4096), 0, 4096, Math.floor(statSync(path).size / 2));
      closeSync(fd);
    },
    'does not match the SHA-256 recorded at commit',
  ],
  [
    'a truncated file',
    (path) => {
      truncateSync(path, Math.floor(statSync(path).size / 3));
    },
    'bytes where',
  ],
  [
    'a deleted file',
    (path) => {
      rmSync(path);
    },
    'is missing',
  ],
  [
    'bytes appended to the file',
    (path) => {
      appendFileSync(path, randomBytes(100));
    },
    'bytes where',
  ],
  [
    'the file replaced by another batch file',
    (path, other) => {
      copyFileSync(other, path);
    },
    'file part-00000.parquet',
  ],
];

describe.each(damages)('%s', (_name, damage, expected) => {
  it('is detected by preview, query and the API, and listed by `sluice lake verify`', async () => {
    const victim = await committedDataset();
    const other = await committedDataset();
    expect(await sumOf(victim.name)).toBe(EXPECTED_SUM);

    damage(victim.path, other.path);

    const viaQuery = await refusal(sumOf(victim.name));
    expect(viaQuery.code).toBe('LAKE-1101-500');
    expect(viaQuery.message).toContain(`Batch ${victim.batch.id} of dataset ${victim.id} is damaged`);
    expect(viaQuery.message).toContain(expected);
    expect(viaQuery.message).not.toContain(t.sluice.lake.dir);
    expect((await refusal(t.sluice.datasets.preview(tenant, victim.id, 10))).code).toBe('LAKE-1101-500');

    const api = await t.request('GET', `/data/foundation/catalog/dataSets/${victim.id}/preview`);
    expect(api.statusCode).toBe(500);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(api.body).toContain('LAKE-1101-500');
    expect(api.body).not.toMatch(/\n\s+at |node_modules|\/tmp\//);
    // The other dataset is untouched and still answers.
    expect(await sumOf(other.name)).toBe(EXPECTED_SUM);

    const out: string[] = [];
    const code = await runCommand(t.sluice, ['lake', 'verify'], {
      out: (line) => out.push(line),
      err: (line) => out.push(line),
    });
    expect(code).toBe(1);
    const text = out.join('\n');
    for (const field of [
      victim.id,
      victim.name,
      victim.batch.id,
      `flow-${victim.name}`,
      `run-${victim.name}`,
    ]) {
      expect(text).toContain(field);
    }
    expect(text).not.toContain(other.batch.id);
    const verification = await t.sluice.datasets.verifyLake();
    const damaged = verification.damaged.find((batch) => batch.batchId === victim.batch.id);
    expect(damaged).toMatchObject({
      datasetId: victim.id,
      flowId: `flow-${victim.name}`,
      runId: `run-${victim.name}`,
      files: [{ path: victim.file.path }],
    });
    rmSync(join(t.sluice.lake.dir, 'datasets', victim.id), { recursive: true, force: true });
    await t.sluice.datasets.delete(tenant, victim.id);
  });
});

describe('a restart', () => {
  it('verifies every file again before its first read after a restart', async () => {
    const { name, path } = await committedDataset();
    expect(await sumOf(name)).toBe(EXPECTED_SUM);
    const { atime, mtime } = statSync(path);
    const fd = openSync(path, 'r+');
    writeSync(fd, randomBytes(4096), 0, 4096, 8192);
    closeSync(fd);
    const { utimesSync } = await import('node:fs');
    utimesSync(path, atime, mtime);
    const restarted = await startTestSluice({ env: { SLUICE_DATA_DIR: t.sluice.config.dataDir } });
    try {
      const error = await refusal(
        restarted.sluice.datasets.query(tenant, `SELECT sum(amount) FROM dataset('${name}')`),
      );
      expect(error.code).toBe('LAKE-1101-500');
    } finally {
      // Not restarted.close(): that would remove the data dir the first instance still uses.
      await restarted.app.close();
      await restarted.sluice.close();
    }
  });
});

describe('an intact lake', () => {
  it('verifies clean and exits 0', async () => {
    const fresh = await startTestSluice();
    try {
      const out: string[] = [];
      expect(
        await runCommand(fresh.sluice, ['lake', 'verify'], {
          out: (l) => out.push(l),
          err: (l) => out.push(l),
        }),
      ).toBe(0);
      expect(out.join('\n')).toContain('no damage');
    } finally {
      await fresh.close();
    }
  });
});
