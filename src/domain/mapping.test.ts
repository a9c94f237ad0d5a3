import { describe, expect, it } from 'vitest';
import type { DatasetSchema } from './dataset.ts';
import {
  MAPPING_SET_ID,
  newMappingSetId,
  normalizeMappings,
  validateMappings,
  type ColumnLike,
  type MappingRef,
} from './mapping.ts';

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

describe('normalizeMappings', () => {
  it('accepts both Adobe spellings and fills the defaults', () => {
    let n = 0;
    const { mappings, problems } = normalizeMappings(
      [
        { sourceType: 'ATTRIBUTE', source: 'id', destination: '_id' },
        {
          sourceAttribute: 'first',
          destinationXdmPath: 'person.name.firstName',
          identity: false,
          version: 3,
        } as never,
        {
          sourceType: 'text/x.schema-path',
          source: 'born',
          destinationXdmPath: 'person.birthDate',
          name: 'b',
        },
      ],
      2,
      () => `id${(n += 1)}`,
    );
    expect(problems).toEqual([]);
    expect(mappings[0]).toEqual({
      id: 'id1',
      version: 2,
      sourceType: 'ATTRIBUTE',
      source: 'id',
      sourceAttribute: 'id',
      destination: '_id',
      destinationXdmPath: '_id',
      identity: false,
      identityGroup: null,
      namespaceCode: null,
    });
    expect(mappings[1]).toMatchObject({ source: 'first', destination: 'person.name.firstName', version: 2 });
    expect(mappings[2]).toMatchObject({ sourceType: 'ATTRIBUTE', name: 'b' });
  });

  it('reports every malformed mapping', () => {
    const { mappings, problems } = normalizeMappings(
      [
        { source: 'a', sourceAttribute: 'b', destination: 'x' },
        { destination: 'x' },
        { source: 'a' },
        { sourceType: 'EXPRESSION', source: 'concat(a, b)', destination: 'y' },
        { source: 'a', destination: 'person..name' },
      ],
      0,
    );
    expect(mappings).toEqual([]);
    expect(problems.map((p) => [p.code, p.index])).toEqual([
      ['CONFLICTING_ALIASES', 0],
      ['MISSING_SOURCE', 1],
      ['MISSING_DESTINATION', 2],
      ['UNSUPPORTED_SOURCE_TYPE', 3],
      ['INVALID_DESTINATION_PATH', 4],
    ]);
  });
});

describe('validateMappings', () => {
  it('accepts a valid set against columns and schema', () => {
    expect(
      validateMappings(
        [
          m('id', '_id'),
          m('first', 'person.name.firstName'),
          m('born', 'person.birthDate'),
          m('id', 'score'),
        ],
        columns,
        schema,
      ),
    ).toEqual([]);
  });

  it('reports an empty set', () => {
    expect(validateMappings([]).map((p) => p.code)).toEqual(['EMPTY_MAPPINGS']);
  });

  it('names the source columns when an attribute is unknown', () => {
    const [problem] = validateMappings([m('nope', '_id')], columns);
    expect(problem).toMatchObject({ code: 'UNKNOWN_SOURCE_ATTRIBUTE', index: 0 });
    expect(problem?.message).toContain('the columns are id, first, born, tags, active');
  });

  it('reports unknown and object destinations against the schema', () => {
    const problems = validateMappings(
      [m('first', 'person.nickname'), m('first', 'person.name')],
      columns,
      schema,
    );
    expect(problems.map((p) => [p.code, p.index])).toEqual([
      ['UNKNOWN_DESTINATION', 0],
      ['OBJECT_DESTINATION', 1],
    ]);
    expect(problems[0]?.message).toContain('_id, person.name.firstName');
    expect(problems[1]?.message).toContain('person.name.firstName, person.name.lastName');
  });

  it('reports duplicate and overlapping destinations without a schema', () => {
    const problems = validateMappings([
      m('a', 'person'),
      m('b', 'person.name.first'),
      m('c', 'person-x'),
      m('d', 'person-x'),
      m('e', 'personal'),
    ]);
    expect(problems.map((p) => [p.code, p.index])).toEqual([
      ['DUPLICATE_DESTINATION', 3],
      ['OVERLAPPING_DESTINATION', 1],
    ]);
    expect(problems[1]?.message).toContain("'person.name.first' inside 'person'");
  });

  it('reports conversions that cannot work, with the reason', () => {
    const problems = validateMappings(
      [m('born', 'person.age'), m('tags', 'person.age'), m('active', 'score')],
      columns,
      schema,
    );
    expect(problems.map((p) => [p.code, p.index])).toEqual([
      ['INCOMPATIBLE_TYPES', 0],
      ['DUPLICATE_DESTINATION', 1],
      ['INCOMPATIBLE_TYPES', 1],
      ['INCOMPATIBLE_TYPES', 2],
    ]);
    expect(problems[0]?.message).toContain('date cannot be converted to integer');
    expect(problems[2]?.message).toContain("'tags' (array<string>)");
  });

  it('keeps input indexes when malformed mappings were dropped', () => {
    const { aligned, problems } = normalizeMappings(
      [{ destination: '_id' }, { source: 'nope', destination: '_id' }, { source: 'id', destination: '_id' }],
      0,
    );
    expect(problems.map((p) => [p.code, p.index])).toEqual([['MISSING_SOURCE', 0]]);
    expect(validateMappings(aligned, columns, schema).map((p) => [p.code, p.index])).toEqual([
      ['UNKNOWN_SOURCE_ATTRIBUTE', 1],
      ['DUPLICATE_DESTINATION', 2],
    ]);
  });

  it('requires a namespace for identity mappings', () => {
    expect(
      validateMappings([{ ...m('id', '_id'), identity: true, namespaceCode: null }]).map((p) => p.code),
    ).toEqual(['IDENTITY_WITHOUT_NAMESPACE']);
    expect(validateMappings([{ ...m('id', '_id'), identity: true, namespaceCode: 'ECID' }])).toEqual([]);
  });
});

it('makes Data Prep style ids', () => {
  const id = newMappingSetId();
  expect(id).toMatch(MAPPING_SET_ID);
  expect(newMappingSetId()).not.toBe(id);
});
