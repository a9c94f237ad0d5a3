/**
 * `appendColumns` against `append`: the same column batch written column by column (typed buffers copied)
 * and row by row (`batchRows`) reads back identically, across chunk and file boundaries, nulls included;
 * a value that does not fit refuses its row exactly as `append` does.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seeded } from '../../test/support/seeded.ts';
import {
  batchRows,
  cellsVector,
  hasValue,
  type ColumnBatch,
  type ColumnData,
  type ColumnVector,
} from '../domain/column-batch.ts';
import type { CellValue } from '../domain/conversion.ts';
import { newBatchId, newDatasetId, type DatasetSchema } from '../domain/dataset.ts';
import { openLake, ValueError, type Lake } from './index.ts';

let dir: string;
let lake: Lake;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-lake-columns-'));
  lake = await openLake(dir);
});
afterAll(async () => {
  await lake.close();
  rmSync(dir, { recursive: true, force: true });
});

const schema: DatasetSchema = {
  fields: [
    { name: 'id', type: 'long' },
    { name: 'n', type: 'integer' },
    { name: 'small', type: 'integer' },
    { name: 'label', type: 'string' },
    { name: 'score', type: 'double' },
    { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
    { name: 'wide', type: 'decimal', precision: 38, scale: 0 },
    { name: 'tiny', type: 'decimal', precision: 4, scale: 1 },
    { name: 'at', type: 'date-time' },
    { name: 'day', type: 'date' },
    { name: 'ok', type: 'boolean' },
    { name: 'raw', type: 'binary' },
    { name: 'unmapped', type: 'string' },
  ],
};

/** A typed vector whose `at` is the reference (what the row path would hold). */
function typed(data: ColumnData, cells: readonly CellValue[], valid?: Uint8Array): ColumnVector {
  const vector: ColumnVector = {
    length: cells.length,
    data,
    nullCount: cells.filter((cell) => cell === null).length,
    ...(valid === undefined ? {} : { valid, validOffset: 0 }),
    at: (index) => (hasValue(vector, index) ? (cells[index] ?? null) : null),
  };
  return vector;
}

function bitmap(present: readonly boolean[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(present.length / 8));
  present.forEach((on, i) => {
    if (on) bits[i >> 3] = (bits[i >> 3] ?? 0) | (1 << (i & 7));
  });
  return bits;
}

function words(values: readonly bigint[]): Uint32Array {
  const out = new Uint32Array(values.length * 4);
  values.forEach((value, i) => {
    const wide = BigInt.asUintN(128, value);
    for (let w = 0; w < 4; w++) out[i * 4 + w] = Number((wide >> BigInt(32 * w)) & 0xffffffffn);
  });
  return out;
}

const decimal = (unscaled: bigint, scale: number): string => {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
};

function batchOf(length: number, seed: number): ColumnBatch {
  const { next } = seeded(seed);
  const present = Array.from({ length }, () => next(10) !== 0);
  const valid = bitmap(present);
  const cell = <T extends CellValue>(i: number, value: T): T | null => (present[i] ? value : null);
  const ids = Array.from({ length }, (_, i) => BigInt(next(2_000_000_000)) * 4_611_686_018n - BigInt(i));
  const ns = Array.from({ length }, () => next(2 ** 31) - 2 ** 30);
  const smalls = Array.from({ length }, () => next(65_536) - 32_768);
  const labels = Array.from(
    { length },
    (_, i) => `row ${String(i)} ${['Zürich', '東京', '🚀', ''][i % 4] ?? ''}`,
  );
  const encoded = labels.map((label) => new TextEncoder().encode(label));
  const offsets = new Int32Array(length + 1);
  encoded.forEach((bytes, i) => (offsets[i + 1] = (offsets[i] ?? 0) + bytes.length));
  const utf8 = new Uint8Array(offsets[length] ?? 0);
  encoded.forEach((bytes, i) => {
    utf8.set(bytes, offsets[i] ?? 0);
  });
  const scores = Array.from({ length }, (_, i) => (i % 97 === 0 ? Infinity : (next(1e9) - 5e8) / 7));
  const amounts = Array.from({ length }, () => BigInt(next(2 ** 30)) * 371n - 2n ** 38n);
  const wides = Array.from({ length }, (_, i) => (i % 2 ? -1n : 1n) * 10n ** 37n + BigInt(next(1e9)));
  const tinies = Array.from({ length }, () => BigInt(next(19_999) - 9_999));
  const micros = Array.from({ length }, () => BigInt(next(2 ** 30)) * 1_000_003n - 2n ** 50n);
  const days = Array.from({ length }, () => next(3_000_000) - 719_000);
  const oks = Array.from({ length }, () => next(2) === 0);
  const raw = encoded; // binary: the same bytes, as base64 cells
  const iso = (us: bigint): string => {
    const ms = us / 1000n - (us % 1000n < 0n ? 1n : 0n);
    const sub = Number(us - ms * 1000n);
    const text = new Date(Number(ms)).toISOString();
    return sub === 0 ? text : `${text.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
  };
  const columns = new Map<string, ColumnVector>([
    [
      'id',
      typed(
        { kind: 'int64', values: BigInt64Array.from(ids) },
        ids.map((v, i) => cell(i, String(v))),
        valid,
      ),
    ],
    [
      'n',
      typed(
        { kind: 'int32', values: Int32Array.from(ns) },
        ns.map((v, i) => cell(i, v)),
        valid,
      ),
    ],
    [
      'small',
      typed(
        { kind: 'int32', values: Int16Array.from(smalls) },
        smalls.map((v, i) => cell(i, v)),
        valid,
      ),
    ],
    [
      'label',
      typed(
        { kind: 'utf8', offsets, data: utf8 },
        labels.map((v, i) => cell(i, v)),
        valid,
      ),
    ],
    [
      'score',
      typed(
        { kind: 'float64', values: Float64Array.from(scores) },
        scores.map((v, i) => cell(i, Number.isFinite(v) ? v : 'Infinity')),
        valid,
      ),
    ],
    [
      'amount',
      typed(
        { kind: 'decimal128', words: words(amounts), precision: 12, scale: 2 },
        amounts.map((v, i) => cell(i, decimal(v, 2))),
        valid,
      ),
    ],
    [
      'wide',
      typed(
        { kind: 'decimal128', words: words(wides), precision: 38, scale: 0 },
        wides.map((v, i) => cell(i, decimal(v, 0))),
        valid,
      ),
    ],
    [
      'tiny',
      typed(
        { kind: 'decimal128', words: words(tinies), precision: 4, scale: 1 },
        tinies.map((v, i) => cell(i, decimal(v, 1))),
        valid,
      ),
    ],
    [
      'at',
      typed(
        { kind: 'micros', values: BigInt64Array.from(micros) },
        micros.map((v, i) => cell(i, iso(v))),
        valid,
      ),
    ],
    [
      'day',
      typed(
        { kind: 'days', values: Int32Array.from(days) },
        days.map((v, i) => cell(i, new Date(v * 86_400_000).toISOString().slice(0, 10))),
        valid,
      ),
    ],
    [
      'ok',
      typed(
        { kind: 'bool', bits: bitmap(oks), offset: 0 },
        oks.map((v, i) => cell(i, v)),
        valid,
      ),
    ],
    [
      'raw',
      typed(
        { kind: 'bytes', offsets, data: utf8 },
        raw.map((v, i) => cell(i, Buffer.from(v).toString('base64'))),
        valid,
      ),
    ],
  ]);
  return { length, columns };
}

async function written(
  write: (writer: Awaited<ReturnType<Lake['createBatchWriter']>>) => Promise<void>,
  target: DatasetSchema = schema,
): Promise<{ rows: Record<string, unknown>[]; files: number[] }> {
  const writer = await lake.createBatchWriter(
    newDatasetId(randomBytes),
    newBatchId(Date.now(), randomBytes),
    target,
    { maxRowsPerFile: 3_000 },
  );
  await write(writer);
  const result = await writer.finish();
  return {
    rows: await lake.read(
      result.files.map((f) => f.path),
      { limit: 100_000 },
    ),
    files: result.files.map((f) => f.records),
  };
}

describe('appendColumns', () => {
  it('writes what append writes for the same rows, across chunks and files, nulls included', async () => {
    const batches = [batchOf(5_000, 3), batchOf(1, 5), batchOf(2_047, 7)];
    const columnar = await written(async (writer) => {
      for (const batch of batches) await writer.appendColumns(batch);
    });
    const rowwise = await written(async (writer) => {
      for (const batch of batches) await writer.append(batchRows(batch));
    });
    expect(columnar.files).toEqual([3_000, 3_000, 1_048]);
    expect(columnar.files).toEqual(rowwise.files);
    expect(columnar.rows).toHaveLength(7_048);
    expect(columnar.rows).toEqual(rowwise.rows);
    // And the cells are the batch's own (the reference `at`), not only equal between the two paths.
    const first = batchRows(batches[0] as ColumnBatch);
    expect(columnar.rows.slice(0, 5_000)).toEqual(first.map((row) => ({ ...row, unmapped: null })));
  });

  it('refuses the row with a value that does not fit, keeping the rows before it', async () => {
    const values: CellValue[] = [1, 2, 3, 2 ** 31, 5];
    const target: DatasetSchema = {
      fields: [
        { name: 'n', type: 'integer' },
        { name: 'l', type: 'long' },
      ],
    };
    const l = BigInt64Array.from([1n, 2n, 3n, 4n, 5n]);
    const batch: ColumnBatch = {
      length: 5,
      columns: new Map([
        ['n', cellsVector(values)],
        ['l', typed({ kind: 'int64', values: l }, ['1', '2', '3', '4', '5'])],
      ]),
    };
    let error: unknown;
    const { rows } = await written(async (writer) => {
      await writer.appendColumns(batch).catch((caught: unknown) => (error = caught));
      expect(writer.records).toBe(3);
    }, target);
    expect(error).toBeInstanceOf(ValueError);
    expect((error as Error).message).toMatch(/^n: row 4: /);
    expect(rows).toEqual([
      { n: 1, l: '1' },
      { n: 2, l: '2' },
      { n: 3, l: '3' },
    ]);
  });

  it('writes a schema with object fields row by row', async () => {
    const target: DatasetSchema = {
      fields: [
        { name: 'id', type: 'long' },
        { name: 'person', type: 'object', fields: [{ name: 'name', type: 'string' }] },
      ],
    };
    const batch: ColumnBatch = {
      length: 2,
      columns: new Map([
        ['id', typed({ kind: 'int64', values: BigInt64Array.from([7n, -7n]) }, ['7', '-7'])],
      ]),
    };
    const { rows } = await written((writer) => writer.appendColumns(batch), target);
    expect(rows).toEqual([
      { id: '7', person: null },
      { id: '-7', person: null },
    ]);
  });
});
