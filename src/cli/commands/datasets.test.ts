import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../../test/support/sluice.ts';
import type { Tenant } from '../../domain/tenancy.ts';
import { createLocalBackend } from '../local-backend.ts';
import { datasetsCommand } from './datasets.ts';
import { queryCommand } from './query.ts';

let t: TestSluice;
let tenant: Tenant;
let schemaFile: string;

async function run(command: typeof datasetsCommand, argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { schema: { type: 'string' }, description: { type: 'string' }, 'max-rows': { type: 'string' } },
  });
  const code = await command({
    backend: createLocalBackend(t.sluice, {}),
    sluice: t.sluice,
    args: positionals,
    flags: values,
    out: (line) => lines.push(line),
  });
  return { code, text: lines.join('\n') };
}

// A Sluice per test: each one sees only its own datasets, in any order.
beforeEach(async () => {
  t = await startTestSluice();
  tenant = { orgId: t.credentials.org.id, sandboxId: t.credentials.sandbox.id, sandboxName: 'prod' };
  schemaFile = join(t.sluice.config.dataDir, 'orders.schema.json');
  writeFileSync(
    schemaFile,
    JSON.stringify({
      fields: [
        { name: 'id', type: 'long' },
        { name: 'amount', type: 'decimal', precision: 10, scale: 2 },
        { name: 'customer', type: 'object', fields: [{ name: 'email', type: 'string' }] },
      ],
    }),
  );
});
afterEach(async () => {
  await t.close();
});

describe('sluice datasets / query', () => {
  it('creates, lists and shows a dataset, then queries its committed rows as a table', async () => {
    const created = await run(datasetsCommand, [
      'create',
      'orders',
      '--schema',
      schemaFile,
      '--description',
      'CRM orders',
    ]);
    expect(created.code).toBe(0);
    const id = /: ([0-9a-f]{24})$/.exec(created.text)?.[1];
    expect(id).toBeDefined();

    const list = await run(datasetsCommand, ['list']);
    expect(list.text).toMatch(new RegExp(`^${id}\\s+orders\\s+3\\s+`, 'm'));
    expect(list.text).toContain('1 dataset(s)');

    const { batch, writer } = await t.sluice.datasets.beginBatch(tenant, id!);
    await writer.append([
      { id: '1', amount: '10.5', customer: { email: 'a@x.io' } },
      { id: '2', amount: '3', customer: null },
    ]);
    await t.sluice.datasets.commitBatch(batch.id, await writer.finish());

    const show = await run(datasetsCommand, ['show', 'orders']);
    expect(show.text).toContain(`Dataset orders (${id})`);
    expect(show.text).toMatch(/^amount\s+decimal\(10,2\)$/m);
    expect(show.text).toMatch(/^customer\.email\s+string$/m);
    expect(show.text).toMatch(new RegExp(`^${batch.id}\\s+success\\s+2\\s+\\d+\\s+1\\s+`, 'm'));

    const query = await run(queryCommand, ["SELECT id, amount, customer FROM dataset('orders') ORDER BY id"]);
    expect(query.text.split('\n')).toEqual([
      'id  amount  customer',
      '--  ------  ------------------',
      '1   10.50   {"email":"a@x.io"}',
      '2   3.00    null',
      '2 row(s)',
    ]);
    const capped = await run(queryCommand, [`SELECT * FROM dataset('${id}')`, '--max-rows', '1']);
    expect(capped.text).toContain('1 row(s) (truncated at 1');
  });

  it('reports usage and refusals as errors', async () => {
    expect((await run(datasetsCommand, ['create', 'guarded', '--schema', schemaFile])).code).toBe(0);
    await expect(run(datasetsCommand, ['create', 'x'])).rejects.toThrow(/usage/);
    await expect(run(datasetsCommand, ['frobnicate'])).rejects.toThrow(/usage/);
    await expect(run(datasetsCommand, ['show', 'missing'])).rejects.toMatchObject({ code: 'FLOW-1439-404' });
    await expect(run(queryCommand, [])).rejects.toThrow(/usage/);
    await expect(run(queryCommand, ["DELETE FROM dataset('guarded')"])).rejects.toThrow(
      /Only SELECT|cannot run/,
    );
    await expect(run(queryCommand, ["ATTACH 'x.db'"])).rejects.toThrow(/dataset\(/);
  });
});
