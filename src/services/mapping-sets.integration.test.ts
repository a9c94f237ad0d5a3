import { expect, it } from 'vitest';
import { describeEachStore } from '../../test/support/stores.ts';
import type { DatasetSchema } from '../domain/dataset.ts';
import { isAppError } from '../domain/errors.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import { migrations } from '../store/migrations/index.ts';
import { createRepositories } from '../store/repositories.ts';
import type { Database } from '../store/schema.ts';
import { createMappingSetService, type MappingSetService } from './mapping-sets.ts';

const actor: Actor = {
  orgId: 'O@AdobeOrg',
  sandboxId: 'sb',
  sandboxName: 'prod',
  userId: 'U@AdobeID',
  clientId: 'c',
};
const otherTenant: Tenant = { orgId: 'O@AdobeOrg', sandboxId: 'sb2', sandboxName: 'dev' };
const DATASET = '0123456789abcdef01234567';

const schema: DatasetSchema = {
  fields: [
    { name: '_id', type: 'string' },
    { name: 'age', type: 'integer' },
    { name: 'person', type: 'object', fields: [{ name: 'born', type: 'date' }] },
  ],
};

const columns = [
  { name: 'id', type: 'long' as const },
  { name: 'age', type: 'string' as const },
  { name: 'born', type: 'date-time' as const },
  { name: 'flag', type: 'boolean' as const },
];

/** The AppError a promise rejects with: its code, message and report. */
async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; report: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message, report: { ...error.report } };
    throw error;
  }
  throw new Error('expected a rejection');
}

const codes = (report: Record<string, unknown>): string[] =>
  (report['problems'] as { code: string }[]).map((problem) => problem.code);

describeEachStore('mapping-set service', (ctx) => {
  const service = async (): Promise<MappingSetService> => {
    const store = await ctx.open<Database>(migrations);
    return createMappingSetService({
      repository: createRepositories(store.db).mappingSets,
      lookupDatasetSchema: (tenant, id) =>
        Promise.resolve(tenant.sandboxId === actor.sandboxId && id === DATASET ? schema : undefined),
    });
  };

  it('validates against the dataset named by dataSetId or xdmSchema', async () => {
    const mappings = await service();
    const wrong = await failure(
      mappings.create(actor, {
        dataSetId: DATASET,
        xdmSchema: 'https://ns.adobe.com/t/schemas/s',
        sourceSchema: { columns },
        mappings: [
          { source: 'flag', destination: 'person.born' },
          { source: 'id', destination: 'person' },
          { source: 'id', destination: 'missing' },
        ],
      }),
    );
    expect(wrong.code).toBe('FLOW-1419-400');
    expect(codes(wrong.report)).toEqual([
      'INCOMPATIBLE_TYPES',
      'OBJECT_DESTINATION',
      'UNKNOWN_DESTINATION',
      'OVERLAPPING_DESTINATION',
    ]);

    const unknown = await failure(
      mappings.create(actor, {
        dataSetId: 'ffffffffffffffffffffffff',
        xdmSchema: 's',
        mappings: [{ source: 'a', destination: 'b' }],
      }),
    );
    expect(unknown.code).toBe('FLOW-1419-400');
    expect(codes(unknown.report)).toEqual(['UNKNOWN_DATASET']);

    const created = await mappings.create(actor, {
      xdmSchema: DATASET,
      sourceSchema: { columns },
      mappings: [
        { source: 'id', destination: '_id' },
        { source: 'age', destination: 'age' },
        { source: 'born', destination: 'person.born' },
      ],
    });
    expect(await mappings.get(actor, created.id)).toMatchObject({
      dataSetId: DATASET,
      sourceSchema: { columns },
    });
  });

  it('resolves the pinned version and re-validates it', async () => {
    const mappings = await service();
    const { id } = await mappings.create(actor, {
      dataSetId: DATASET,
      xdmSchema: 'x',
      mappings: [{ source: 'id', destination: '_id' }],
    });
    await mappings.update(actor, id, {
      dataSetId: DATASET,
      xdmSchema: 'x',
      mappings: [{ source: 'age', destination: 'age' }],
    });

    expect((await mappings.resolveMapping(actor, id, 0)).mappings[0]?.sourceAttribute).toBe('id');
    expect((await mappings.resolveMapping(actor, id, '1')).mappings[0]?.sourceAttribute).toBe('age');

    const ahead = await failure(mappings.resolveMapping(actor, id, 2));
    expect(ahead).toMatchObject({ code: 'FLOW-1412-400', report: { latestVersion: 1 } });
    expect((await failure(mappings.resolveMapping(actor, id, 'v1'))).code).toBe('FLOW-1412-400');
    expect((await failure(mappings.resolveMapping(actor, id, -1))).code).toBe('FLOW-1412-400');
    expect((await failure(mappings.resolveMapping(otherTenant, id, 0))).code).toBe('FLOW-1439-404');
    expect((await failure(mappings.resolveMapping(actor, 'ab'.repeat(16), 0))).code).toBe('FLOW-1439-404');

    // The flow's source no longer has the column, or its type cannot reach the field.
    const gone = await failure(
      mappings.resolveMapping(actor, id, 1, { sourceColumns: [{ name: 'id', type: 'long' }] }),
    );
    expect(gone.code).toBe('FLOW-1419-400');
    expect(codes(gone.report)).toEqual(['UNKNOWN_SOURCE_ATTRIBUTE']);
    const incompatible = await failure(
      mappings.resolveMapping(actor, id, 1, { sourceColumns: [{ name: 'age', type: 'date' }] }),
    );
    expect(codes(incompatible.report)).toEqual(['INCOMPATIBLE_TYPES']);
    // A flow targeting another dataset validates against that one.
    const elsewhere = await failure(
      mappings.resolveMapping(actor, id, 1, { schema: { fields: [{ name: '_id', type: 'string' }] } }),
    );
    expect(codes(elsewhere.report)).toEqual(['UNKNOWN_DESTINATION']);
  });

  it('keeps createdDate and createdBy across versions and records the modifier', async () => {
    const mappings = await service();
    const created = await mappings.create(actor, {
      xdmSchema: 'x',
      mappings: [{ source: 'a', destination: 'b' }],
    });
    const updated = await mappings.update({ ...actor, userId: 'V@AdobeID' }, created.id, {
      xdmSchema: 'x',
      mappings: [{ source: 'a', destination: 'c' }],
    });
    expect(updated).toMatchObject({
      version: 1,
      createdDate: created.createdDate,
      createdBy: 'U@AdobeID',
      modifiedBy: 'V@AdobeID',
    });
  });
});
