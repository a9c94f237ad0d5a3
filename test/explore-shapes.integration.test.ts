/**
 * Explore's columns in Adobe's shape (reference §3.3) over every Databricks type of the emulator's demo
 * table, and what consumes them: the CLI's explore output, and the schema made from the table (its XDM
 * fields as docs/types.md maps them, and the dataset made from that schema, whose columns have the
 * types the connector reads).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabricksEmulator, type DatabricksEmulator } from '../emulators/databricks/index.ts';
import { createLocalBackend } from '../src/cli/local-backend.ts';
import { exploreCommand } from '../src/cli/commands/explore.ts';
import { tenantOf } from './support/flows.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

let t: TestSluice;
let emulator: DatabricksEmulator;
let connectionId: string;

const json = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const response = await t.request(method, path, body === undefined ? {} : { body });
  expect(response.statusCode, `${method} ${path}: ${response.body}`).toBeLessThan(300);
  return JSON.parse(response.body) as any;
};

beforeAll(async () => {
  emulator = await startDatabricksEmulator();
  t = await startTestSluice({ env: { SLUICE_EXTRA_CA_CERTS: emulator.caFile } });
  connectionId = (
    await json('POST', '/connections', {
      name: 'Databricks',
      auth: {
        specName: 'Access Token Authentication',
        params: {
          domain: emulator.url,
          clusterId: emulator.clusterId,
          accessToken: emulator.token,
          database: 'acme',
        },
      },
      connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
    })
  ).id;
});
afterAll(async () => {
  await t.close();
  await emulator.stop();
});

/** Column name → [explore type, meta:xdmType, xdm] for acme.customers. */
const EXPECTED: Record<string, [string, string | undefined, Record<string, string>]> = {
  id: ['integer', undefined, { type: 'integer' }],
  big_id: ['long', undefined, { type: 'integer' }],
  name: ['string', undefined, { type: 'string' }],
  balance: ['decimal', undefined, { type: 'number' }],
  score: ['double', undefined, { type: 'number' }],
  active: ['boolean', undefined, { type: 'boolean' }],
  birth_date: ['string', 'date', { type: 'string', format: 'date' }],
  updated_at: ['string', 'date-time', { type: 'string', format: 'date-time' }],
  avatar: ['binary', undefined, { type: 'string', format: 'byte' }],
  tags: ['string', undefined, { type: 'string' }],
};

describe("explore's column shapes", () => {
  it("answers Adobe's type, with meta:xdmType and xdm.format for dates and timestamps", async () => {
    for (const preview of [false, true]) {
      const explored = await json(
        'GET',
        `/connections/${connectionId}/explore?objectType=table&object=acme.customers${preview ? '&preview=true' : ''}`,
      );
      const byName = new Map<string, any>(
        explored.schema.columns.map((column: any) => [column.name, column]),
      );
      for (const [name, [type, xdmType, xdm]] of Object.entries(EXPECTED)) {
        const column = byName.get(name);
        expect(column?.type, name).toBe(type);
        expect(column?.['meta:xdmType'], name).toBe(xdmType);
        expect(column?.xdm, name).toEqual(xdm);
      }
    }
  });

  it("prints explore's types in the CLI: string with its XDM format for temporal columns", async () => {
    const lines: string[] = [];
    const code = await exploreCommand({
      backend: createLocalBackend(t.sluice, {}),
      sluice: t.sluice,
      args: [connectionId, 'acme.customers'],
      flags: {},
      out: (line) => lines.push(line),
    });
    expect(code).toBe(0);
    const row = (name: string) =>
      lines
        .flatMap((text) => text.split('\n'))
        .find((line) => line.startsWith(`${name} `))
        ?.split(/\s{2,}/)
        .slice(0, 3);
    expect(row('updated_at')).toEqual(['updated_at', 'string', 'string (date-time)']);
    expect(row('birth_date')).toEqual(['birth_date', 'string', 'string (date)']);
    expect(row('big_id')).toEqual(['big_id', 'long', 'integer']);
  });

  it('makes a schema from the table with the XDM types of docs/types.md, and a dataset of the same columns', async () => {
    const schema = await json('POST', '/data/foundation/schemaregistry/tenant/schemas/fromTable', {
      connectionId,
      object: 'acme.customers',
      columns: Object.keys(EXPECTED),
    });
    const { title: _title, ...balance } = schema.allOf[1].properties.balance;
    expect(balance).toEqual({
      type: 'number',
      'meta:xdmType': 'number',
      'sluice:precision': 38,
      'sluice:scale': 9,
    });
    const xdmTypes = Object.fromEntries(
      Object.entries(schema.allOf[1].properties as Record<string, any>).map(([name, field]) => [
        name,
        [field.type, field.format, field['meta:xdmType']],
      ]),
    );
    expect(xdmTypes).toEqual({
      id: ['integer', undefined, 'int'],
      big_id: ['integer', undefined, 'long'],
      name: ['string', undefined, 'string'],
      balance: ['number', undefined, 'number'],
      score: ['number', undefined, 'number'],
      active: ['boolean', undefined, 'boolean'],
      birth_date: ['string', 'date', 'date'],
      updated_at: ['string', 'date-time', 'date-time'],
      avatar: ['string', 'byte', 'string'],
      tags: ['string', undefined, 'string'],
    });
    const dataset = await json('POST', '/data/foundation/catalog/dataSets', {
      name: 'customers',
      schemaRef: { id: schema.$id, contentType: 'application/vnd.adobe.xed+json;version=1' },
    });
    const { schema: lake } = await t.sluice.datasets.get(
      tenantOf(t),
      String(dataset[0]).replace('@/dataSets/', ''),
    );
    const live = await t.sluice.explore.describeTable(tenantOf(t), connectionId, 'acme.customers');
    expect(lake.fields).toEqual(
      live
        .filter((column) => column.name in EXPECTED)
        .map((column) =>
          column.type === 'decimal'
            ? { name: column.name, type: 'decimal', precision: 38, scale: 9 }
            : { name: column.name, type: column.type },
        ),
    );
  });

  it('refuses a table column that cannot be an XDM field name, naming it', async () => {
    await emulator.exec('CREATE TABLE hive_metastore.acme.spaced ("first name" VARCHAR)');
    const response = await t.request('POST', '/data/foundation/schemaregistry/tenant/schemas/fromTable', {
      body: { connectionId, object: 'acme.spaced' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().type).toContain('XDM-1001-400');
    expect(response.json().errorMessage).toContain('first name: the field name must match');
  });
});
