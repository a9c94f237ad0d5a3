import { describe, expect, it } from 'vitest';
import { batchRows, cellsVector, type ColumnBatch, type ColumnVector } from '../domain/column-batch.ts';
import type { DatasetSchema } from '../domain/dataset.ts';
import { column } from '../connectors/values.ts';
import { createRowMapper } from './row-mapper.ts';

const int64 = (values: bigint[]): ColumnVector => ({
  length: values.length,
  data: { kind: 'int64', values: BigInt64Array.from(values) },
  nullCount: 0,
  at: (index) => String(values[index]),
});
const decimal = (unscaled: number[], precision: number, scale: number): ColumnVector => ({
  length: unscaled.length,
  data: {
    kind: 'decimal128',
    words: Uint32Array.from(
      unscaled.flatMap((v) => [
        v >>> 0,
        v < 0 ? 0xffffffff : 0,
        v < 0 ? 0xffffffff : 0,
        v < 0 ? 0xffffffff : 0,
      ]),
    ),
    precision,
    scale,
  },
  nullCount: 0,
  at: (index) => ((unscaled[index] ?? 0) / 10 ** scale).toFixed(scale),
});

const columns = [
  column('id', 'long'),
  column('amount', 'decimal', { precision: 12, scale: 2 }),
  column('label', 'string'),
];
const batch = (label: ColumnVector): ColumnBatch => ({
  length: 3,
  columns: new Map([
    ['id', int64([1n, -2n, 9_007_199_254_740_993n])],
    ['amount', decimal([150, -50, 0], 12, 2)],
    ['label', label],
  ]),
});

describe('mapColumns', () => {
  it('keeps the typed buffers of columns that need no conversion, converts the others cell by cell', () => {
    const schema: DatasetSchema = {
      fields: [
        { name: 'id', type: 'long' },
        { name: 'amount', type: 'decimal', precision: 14, scale: 2 },
        { name: 'amountText', type: 'string' },
        { name: 'n', type: 'integer' },
      ],
    };
    const mapper = createRowMapper(
      [
        { sourceAttribute: 'id', destinationXdmPath: 'id' },
        { sourceAttribute: 'amount', destinationXdmPath: 'amount' },
        { sourceAttribute: 'amount', destinationXdmPath: 'amountText' },
        { sourceAttribute: 'label', destinationXdmPath: 'n' },
      ],
      columns,
      schema,
    );
    const input = batch(cellsVector(['7', null, '-3']));
    const mapped = mapper.mapColumns?.(input);
    expect(mapped?.columns.get('id')).toBe(input.columns.get('id'));
    expect(mapped?.columns.get('amount')).toBe(input.columns.get('amount'));
    expect(mapped?.columns.get('amountText')?.data.kind).toBe('cells');
    // Cell for cell what the row path gives.
    const rows = batchRows(input).map((row) => mapper.map(row));
    expect(batchRows(mapped as ColumnBatch)).toEqual(
      rows.map((row) => {
        if (!row.ok) throw new Error('expected every row to map');
        return { id: null, amount: null, amountText: null, n: null, ...row.value };
      }),
    );
  });

  it('converts a decimal into a narrower decimal field cell by cell, and gives up on a cell that fails', () => {
    const schema: DatasetSchema = {
      fields: [
        { name: 'amount', type: 'decimal', precision: 3, scale: 1 },
        { name: 'n', type: 'integer' },
      ],
    };
    const mapper = createRowMapper(
      [
        { sourceAttribute: 'amount', destinationXdmPath: 'amount' },
        { sourceAttribute: 'label', destinationXdmPath: 'n' },
      ],
      columns,
      schema,
    );
    expect(mapper.mapColumns?.(batch(cellsVector(['1', '2', '3'])))?.columns.get('amount')?.data.kind).toBe(
      'cells',
    );
    expect(mapper.mapColumns?.(batch(cellsVector(['1', 'two', '3'])))).toBeUndefined();
  });

  it('is absent when a mapping writes into an object field', () => {
    const schema: DatasetSchema = {
      fields: [{ name: 'person', type: 'object', fields: [{ name: 'id', type: 'long' }] }],
    };
    const mapper = createRowMapper(
      [{ sourceAttribute: 'id', destinationXdmPath: 'person.id' }],
      columns,
      schema,
    );
    expect(mapper.mapColumns).toBeUndefined();
  });
});
