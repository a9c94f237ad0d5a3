import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabricksEmulator, type DatabricksEmulator } from './index.ts';
import { connectDriver, query, type DriverConnection } from './test-driver.ts';

let emulator: DatabricksEmulator;
let exact: DriverConnection;
let defaults: DriverConnection;

beforeAll(async () => {
  emulator = await startDatabricksEmulator({ resultFormat: 'arrow' });
  exact = await connectDriver(emulator, { preserveBigNumericPrecision: true });
  defaults = await connectDriver(emulator);
});

afterAll(async () => {
  await exact.close();
  await defaults.close();
  await emulator.stop();
});

describe("resultFormat 'arrow': Arrow batches as real Databricks sends them", () => {
  it('gives exact bigint and decimal with preserveBigNumericPrecision, and native timestamps/dates', async () => {
    const rows = await query(exact.session, 'SELECT * FROM acme.customers ORDER BY id');
    const [ada, zoe, nulls] = rows;
    expect(ada).toMatchObject({
      id: 1,
      big_id: 9007199254740993n,
      name: 'Ada Lovelace',
      balance: '12345678901234567890.123456789',
      score: 3.25,
      ratio: 0.5,
      active: true,
      age: 36,
      tier: 1,
      tags: ['vip', 'early'],
      counters: { logins: 3 },
      address: { city: 'London', zip: 1 },
    });
    expect(ada!['updated_at']).toEqual(new Date('2024-01-02T03:04:05.123Z'));
    expect(ada!['birth_date']).toEqual(new Date('1815-12-10T00:00:00Z'));
    expect(Buffer.from(ada!['avatar'] as Uint8Array).toString('hex')).toBe('deadbeef');
    expect(zoe).toMatchObject({
      big_id: -9223372036854775808n,
      balance: '-0.000000001',
      name: 'Zoë Ünicode 你好 🚀',
    });
    expect(Object.entries(nulls!).filter(([k, v]) => k !== 'id' && v !== null)).toEqual([]);
  });

  it('with the driver defaults, bigint and decimal become (rounded) numbers, never Infinity', async () => {
    const [ada] = await query(defaults.session, 'SELECT big_id, balance FROM acme.customers WHERE id = 1');
    // Number(unscaled) / 10 ** scale, the driver's lossy default.
    expect(ada).toEqual({ big_id: 9007199254740992, balance: Number(12345678901234567890123456789n) / 1e9 });
  });

  it('streams many Arrow batches with parameters bound', async () => {
    emulator.resetStats();
    const operation = await exact.session.executeStatement(
      'SELECT order_id FROM acme.orders WHERE customer_id = :c ORDER BY order_id',
      { namedParameters: { c: 1 } },
    );
    let ids: unknown[] = [];
    do {
      ids = ids.concat(
        (await operation.fetchChunk({ maxRows: 50 })).map((r) => (r as { order_id: bigint }).order_id),
      );
    } while (await operation.hasMoreRows());
    await operation.close();
    expect(ids).toHaveLength(334);
    expect(ids.slice(0, 3)).toEqual([0n, 3n, 6n]);
    expect(emulator.stats.fetchCalls).toBeGreaterThanOrEqual(7);
  });
});
