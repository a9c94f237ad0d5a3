/**
 * The demo's sample data: a `customers` table in the Databricks emulator (ten columns of mixed Spark
 * types with an `updated_at` TIMESTAMP) and an `events` table in Azurite (typed properties: Guid,
 * Int32, Int64, Double, Boolean, DateTime, String), plus how rows are added to each later.
 */
import { TableClient } from '@azure/data-tables';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../emulators/databricks/index.ts';
import { startAzurite } from '../test/support/global-setup.ts';

const ACCOUNT = 'devstoreaccount1';
// Azurite's well-known development key (public, documented by Microsoft).
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export const CUSTOMER_COLUMNS = [
  { name: 'id', type: 'BIGINT' },
  { name: 'name', type: 'STRING' },
  { name: 'email', type: 'STRING' },
  { name: 'country', type: 'STRING' },
  { name: 'age', type: 'INT' },
  { name: 'balance', type: 'DECIMAL(12,2)' },
  { name: 'vip', type: 'BOOLEAN' },
  { name: 'signup_date', type: 'DATE' },
  { name: 'score', type: 'DOUBLE' },
  { name: 'updated_at', type: 'TIMESTAMP' },
];

const NAMES = [
  'Ada Lovelace',
  'Grace Hopper',
  'Alan Turing',
  'Katherine Johnson',
  'Edsger Dijkstra',
  'Barbara Liskov',
  'Donald Knuth',
  'Margaret Hamilton',
  'Linus Torvalds',
  'Frances Allen',
  'Tim Berners-Lee',
  'Radia Perlman',
];
const COUNTRIES = ['GB', 'US', 'GB', 'US', 'NL', 'US', 'US', 'US', 'FI', 'US', 'GB', 'US'];

/** A spark TIMESTAMP literal in UTC wall-clock time. */
const sparkTimestamp = (date: Date): string => date.toISOString().replace('T', ' ').replace('Z', '');

function customer(id: number, updatedAt: Date): unknown[] {
  const name = NAMES[(id - 1) % NAMES.length] ?? `Customer ${id}`;
  return [
    id,
    name,
    `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@example.com`,
    COUNTRIES[(id - 1) % COUNTRIES.length] ?? 'US',
    25 + ((id * 7) % 50),
    (id * 1234.5).toFixed(2),
    id % 3 === 0,
    `2024-0${1 + (id % 9)}-1${id % 10}`,
    Number((id * 0.37).toFixed(2)),
    sparkTimestamp(updatedAt),
  ];
}

export interface DemoSources {
  readonly emulator: DatabricksEmulator;
  readonly azuriteConnectionString: string;
  readonly events: TableClient;
  /** Customers already in the table (ids 1..n). */
  readonly initialCustomers: number;
  readonly initialEvents: number;
  /** When the last `events` entity was written (its Timestamp is set by the service). */
  lastEventWrite: number;
  addCustomers(ids: readonly number[]): Promise<void>;
  addEvents(ids: readonly number[]): Promise<void>;
  stop(): Promise<void>;
}

const EVENT_KINDS = ['page_view', 'add_to_cart', 'purchase', 'login'];

export async function startDemoSources(): Promise<DemoSources> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    for (const close of stops.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const azurite = await startAzurite();
    stops.push(azurite.stop);
    const endpoint = `http://127.0.0.1:${azurite.port}/${ACCOUNT}`;
    const azuriteConnectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=${endpoint};`;

    // Customers were last updated in the past, so the flow's first window (everything before now) has them all.
    const initialCustomers = 8;
    const emulator = await startDatabricksEmulator({
      fixture: {
        ...defaultFixture,
        catalogs: [
          {
            name: 'hive_metastore',
            databases: [
              {
                name: 'demo',
                tables: [
                  {
                    name: 'customers',
                    columns: CUSTOMER_COLUMNS,
                    rows: Array.from({ length: initialCustomers }, (_v, index) =>
                      customer(index + 1, new Date(Date.UTC(2026, 0, 1 + index, 9, 30))),
                    ),
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    stops.push(() => emulator.stop());

    const events = TableClient.fromConnectionString(azuriteConnectionString, 'events', {
      allowInsecureConnection: true,
    });
    await events.createTable();
    const sources: DemoSources = {
      emulator,
      azuriteConnectionString,
      events,
      initialCustomers,
      initialEvents: 6,
      lastEventWrite: 0,
      async addCustomers(ids) {
        const placeholders = CUSTOMER_COLUMNS.map(() => '?').join(', ');
        for (const id of ids)
          await emulator.exec(
            `INSERT INTO hive_metastore.demo.customers VALUES (${placeholders})`,
            customer(id, new Date()),
          );
      },
      async addEvents(ids) {
        for (const id of ids) {
          await events.createEntity({
            partitionKey: `customer-${String(1 + (id % 4))}`,
            rowKey: `evt-${String(id).padStart(4, '0')}`,
            eventId: { value: `6a1f0c2e-0000-4000-8000-${String(id).padStart(12, '0')}`, type: 'Guid' },
            kind: EVENT_KINDS[id % EVENT_KINDS.length] ?? 'login',
            customerId: { value: String(1 + (id % 4)), type: 'Int64' },
            quantity: { value: (id % 5) + 1, type: 'Int32' },
            amount: { value: Number((id * 9.99).toFixed(2)), type: 'Double' },
            mobile: id % 2 === 0,
            occurredAt: { value: new Date(Date.UTC(2026, 1, 1, 12, id)).toISOString(), type: 'DateTime' },
          });
          sources.lastEventWrite = Date.now();
        }
      },
      stop,
    };
    await sources.addEvents(Array.from({ length: sources.initialEvents }, (_v, index) => index + 1));
    return sources;
  } catch (error) {
    await stop();
    throw error;
  }
}
