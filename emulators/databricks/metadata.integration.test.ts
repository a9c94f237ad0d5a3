import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabricksEmulator, type DatabricksEmulator } from './index.ts';
import { connectDriver, type DriverConnection } from './test-driver.ts';

let emulator: DatabricksEmulator;
let conn: DriverConnection;

beforeAll(async () => {
  emulator = await startDatabricksEmulator();
  await emulator.exec(
    'CREATE VIEW hive_metastore.acme.active_customers AS SELECT id FROM hive_metastore.acme.customers',
  );
  conn = await connectDriver(emulator);
});

afterAll(async () => {
  await conn.close();
  await emulator.stop();
});

async function all(
  operation: Promise<{ fetchAll: () => Promise<unknown[]>; close: () => Promise<unknown> }>,
) {
  const op = await operation;
  const rows = (await op.fetchAll()) as Record<string, unknown>[];
  await op.close();
  return rows;
}

describe('driver metadata calls', () => {
  it('getCatalogs lists the fixture catalogs and nothing of DuckDB’s own', async () => {
    expect(await all(conn.session.getCatalogs())).toEqual([
      { TABLE_CAT: 'hive_metastore' },
      { TABLE_CAT: 'main' },
    ]);
  });

  it('getSchemas filters by catalog and JDBC pattern', async () => {
    expect(await all(conn.session.getSchemas({ catalogName: 'hive_metastore' }))).toEqual([
      { TABLE_SCHEM: 'acme', TABLE_CATALOG: 'hive_metastore' },
      { TABLE_SCHEM: 'default', TABLE_CATALOG: 'hive_metastore' },
    ]);
    expect(await all(conn.session.getSchemas({ schemaName: 'def%' }))).toEqual([
      { TABLE_SCHEM: 'default', TABLE_CATALOG: 'hive_metastore' },
      { TABLE_SCHEM: 'default', TABLE_CATALOG: 'main' },
    ]);
  });

  it('getTables returns JDBC columns, tables and views, filtered by pattern and type', async () => {
    const tables = await all(conn.session.getTables({ catalogName: 'hive_metastore', schemaName: 'acme' }));
    expect(tables.map((t) => [t['TABLE_NAME'], t['TABLE_TYPE']])).toEqual([
      ['active_customers', 'VIEW'],
      ['customers', 'TABLE'],
      ['orders', 'TABLE'],
    ]);
    expect(Object.keys(tables[0]!)).toEqual([
      'TABLE_CAT',
      'TABLE_SCHEM',
      'TABLE_NAME',
      'TABLE_TYPE',
      'REMARKS',
      'TYPE_CAT',
      'TYPE_SCHEM',
      'TYPE_NAME',
      'SELF_REFERENCING_COL_NAME',
      'REF_GENERATION',
    ]);
    const onlyTables = await all(
      conn.session.getTables({ schemaName: 'acme', tableName: 'c%', tableTypes: ['TABLE'] }),
    );
    expect(onlyTables.map((t) => t['TABLE_NAME'])).toEqual(['customers']);
  });

  it('getColumns gives DATA_TYPE, TYPE_NAME, COLUMN_SIZE, DECIMAL_DIGITS, NULLABLE and ORDINAL_POSITION', async () => {
    const columns = await all(
      conn.session.getColumns({ catalogName: 'hive_metastore', schemaName: 'acme', tableName: 'customers' }),
    );
    expect(columns).toHaveLength(15);
    const byName = Object.fromEntries(columns.map((c) => [c['COLUMN_NAME'], c]));
    expect(byName['id']).toMatchObject({
      TABLE_CAT: 'hive_metastore',
      TABLE_SCHEM: 'acme',
      TABLE_NAME: 'customers',
      DATA_TYPE: 4,
      TYPE_NAME: 'INT',
      COLUMN_SIZE: 10,
      NULLABLE: 1,
      ORDINAL_POSITION: 0,
      IS_NULLABLE: 'YES',
    });
    expect(byName['balance']).toMatchObject({
      DATA_TYPE: 3,
      TYPE_NAME: 'DECIMAL(38,9)',
      COLUMN_SIZE: 38,
      DECIMAL_DIGITS: 9,
    });
    expect(byName['big_id']).toMatchObject({ DATA_TYPE: -5, TYPE_NAME: 'BIGINT' });
    expect(byName['updated_at']).toMatchObject({ DATA_TYPE: 93, TYPE_NAME: 'TIMESTAMP' });
    expect(byName['birth_date']).toMatchObject({ DATA_TYPE: 91, TYPE_NAME: 'DATE' });
    expect(byName['name']).toMatchObject({ DATA_TYPE: 12, TYPE_NAME: 'STRING' });
    expect(byName['tags']).toMatchObject({ DATA_TYPE: 2003, TYPE_NAME: 'ARRAY<STRING>' });
    expect(byName['address']).toMatchObject({ DATA_TYPE: 2002, TYPE_NAME: 'STRUCT<city: STRING, zip: INT>' });
    expect(byName['counters']).toMatchObject({ DATA_TYPE: 2000, TYPE_NAME: 'MAP<STRING, INT>' });
    expect(columns.map((c) => c['ORDINAL_POSITION'])).toEqual([...Array(15).keys()]);
    const filtered = await all(
      conn.session.getColumns({ schemaName: 'acme', tableName: 'orders', columnName: '%_id' }),
    );
    expect(filtered.map((c) => c['COLUMN_NAME'])).toEqual(['order_id', 'customer_id']);
  });

  it('getInfo answers the server name', async () => {
    const info = await conn.session.getInfo(13);
    expect(info.getValue()).toBe('Spark SQL');
  });
});
