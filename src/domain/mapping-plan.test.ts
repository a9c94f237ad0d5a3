import { describe, expect, it } from 'vitest';
import type { DatasetSchema } from './dataset.ts';
import type { ColumnLike, MappingRef } from './mapping.ts';
import { mapRow, planMapping } from './mapping-plan.ts';

const schema: DatasetSchema = {
  fields: [
    { name: '_id', type: 'string' },
    {
      name: 'person',
      type: 'object',
      fields: [
        {
          name: 'name',
          type: 'object',
          fields: [
            { name: 'firstName', type: 'string' },
            { name: 'lastName', type: 'string' },
          ],
        },
        { name: 'age', type: 'integer' },
        { name: 'birthDate', type: 'date' },
      ],
    },
    { name: 'score', type: 'decimal', precision: 10, scale: 2 },
  ],
};

const columns: ColumnLike[] = [
  { name: 'id', type: 'long' },
  { name: 'first', type: 'string' },
  { name: 'born', type: 'date' },
  { name: 'tags', type: 'string', meta: { originalType: 'array<string>' } },
  { name: 'active', type: 'boolean' },
];

const m = (sourceAttribute: string, destinationXdmPath: string): MappingRef => ({
  sourceAttribute,
  destinationXdmPath,
});

describe('planMapping and mapRow', () => {
  it('maps a row into a nested record with converted values', () => {
    const plan = planMapping(
      [m('id', '_id'), m('first', 'person.name.firstName'), m('born', 'person.birthDate'), m('id', 'score')],
      columns,
      schema,
    );
    if (!plan.ok) throw new Error(JSON.stringify(plan.problems));
    expect(plan.entries.map((entry) => entry.rule)).toEqual([
      'text',
      'identity',
      'identity',
      'exact-decimal',
    ]);
    expect(mapRow(plan.entries, { id: '12345678', first: 'Ada', born: '1815-12-10' })).toEqual({
      ok: true,
      record: {
        _id: '12345678',
        person: { name: { firstName: 'Ada' }, birthDate: '1815-12-10' },
        score: '12345678',
      },
    });
    expect(mapRow(plan.entries, { id: '1', first: null })).toEqual({
      ok: true,
      record: { _id: '1', score: '1' },
    });
  });

  it('reports every failing cell of a row', () => {
    const plan = planMapping(
      [m('first', 'person.age'), m('id', 'score'), m('born', 'person.birthDate')],
      columns,
      schema,
    );
    if (!plan.ok) throw new Error(JSON.stringify(plan.problems));
    const mapped = mapRow(plan.entries, { first: 'twelve', id: '123456789', born: '2024-01-01' });
    expect(mapped).toEqual({
      ok: false,
      errors: [
        {
          source: 'first',
          destination: 'person.age',
          reason: expect.stringMatching(/not an integer/) as string,
        },
        { source: 'id', destination: 'score', reason: expect.stringMatching(/integer digits/) as string },
      ],
    });
  });

  it('refuses to plan a mapping that does not fit', () => {
    expect(planMapping([m('nope', '_id')], columns, schema)).toMatchObject({
      ok: false,
      problems: [{ code: 'UNKNOWN_SOURCE_ATTRIBUTE' }],
    });
  });
});
