/**
 * Test support for the Azure Table Storage connector: contexts, a seeded table of mixed EDM types in
 * the suite's Azurite, and SAS helpers. Used only by this folder's tests.
 */
import {
  AzureNamedKeyCredential,
  TableClient,
  TableServiceClient,
  type TableEntity,
  type TransactionAction,
} from '@azure/data-tables';
import type { ConnectorContext, EgressPolicy } from '../connector.ts';

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export const allowAll: EgressPolicy = { assertAllowed: () => Promise.resolve() };

export function testContext(overrides: Partial<ConnectorContext> = {}): ConnectorContext {
  return {
    signal: new AbortController().signal,
    timeouts: { stageMs: 5_000, exploreMs: 10_000 },
    egress: allowAll,
    extraCaCerts: [],
    ...overrides,
  };
}

export const keyCredential = (): AzureNamedKeyCredential =>
  new AzureNamedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);

export function tableClient(endpoint: string, table: string): TableClient {
  return new TableClient(endpoint, table, keyCredential(), { allowInsecureConnection: true });
}

export function serviceClient(endpoint: string): TableServiceClient {
  return new TableServiceClient(endpoint, keyCredential(), { allowInsecureConnection: true });
}

/** A SAS connection string for the Azurite endpoint. */
export const sasConnectionString = (endpoint: string, sas: string): string =>
  `TableEndpoint=${endpoint};SharedAccessSignature=${sas}`;

/**
 * Seven people with mixed EDM types: Int64 beyond 2^53, Double (one integral), Boolean, DateTime with
 * 100 ns precision, Guid, Binary, unicode strings, missing properties, and `mixed` as Int32 and String.
 */
export const PEOPLE: TableEntity[] = [
  {
    partitionKey: 'p1',
    rowKey: '001',
    firstname: 'Ramen',
    age: 25,
    big: { value: '9007199254740993', type: 'Int64' },
    score: 2.5,
    active: true,
    joined: { value: '2024-02-29T12:34:56.1234567Z', type: 'DateTime' },
    id: { value: 'a1b2c3d4-0000-4000-8000-000000000001', type: 'Guid' },
    blob: new Uint8Array([0, 1, 2, 255]),
    city: 'Zürich 🌊 東京',
    mixed: 5,
  },
  {
    partitionKey: 'p1',
    rowKey: '002',
    firstname: 'John',
    age: 19,
    big: { value: '-9223372036854775808', type: 'Int64' },
    score: { value: '3', type: 'Double' },
    active: false,
    mixed: 'five',
  },
  { partitionKey: 'p1', rowKey: '003', firstname: 'John', age: 30, city: "O'Brien's" },
  { partitionKey: 'p2', rowKey: '004', firstname: 'John', city: 'no age' },
  { partitionKey: 'p2', rowKey: '005', firstname: 'Mary', age: 40 },
  { partitionKey: 'p2', rowKey: '006', firstname: 'John', age: 20 },
  { partitionKey: 'p3', rowKey: '007', firstname: 'Ramen', age: 20, nickname: 'R' },
];

export async function seedTable(
  endpoint: string,
  table: string,
  entities: readonly TableEntity[],
): Promise<void> {
  const client = tableClient(endpoint, table);
  await client.createTable();
  for (const entity of entities) await client.createEntity(entity);
}

/** `count` entities `{n}` in one partition, inserted in transactions of 100. */
export async function seedNumbered(endpoint: string, table: string, count: number): Promise<void> {
  const client = tableClient(endpoint, table);
  await client.createTable();
  for (let start = 0; start < count; start += 100) {
    const actions: TransactionAction[] = [];
    for (let n = start; n < Math.min(count, start + 100); n++) {
      actions.push(['create', { partitionKey: 'p', rowKey: String(n).padStart(6, '0'), n }]);
    }
    await client.submitTransaction(actions);
  }
}
