import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { inject } from 'vitest';

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteEndpoint(): string {
  const { host, port } = inject('azurite');
  return `http://${host}:${port}/${AZURITE_ACCOUNT}`;
}

/** A connection string in the form the ATS tutorial shows, pointing at the shared Azurite. */
export function azuriteConnectionString(key = AZURITE_KEY): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${key};TableEndpoint=${azuriteEndpoint()};`;
}

/** A table name no other test uses (Azure: 3-63 alphanumerics, starting with a letter). */
export function uniqueTableName(prefix = 't'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/**
 * Creates `table` on the shared Azurite with rows 1…count in one partition: `id` (Int64), `name`, `updated`
 * one minute apart from 2026-01-01, plus what `extra(id)` adds.
 */
export async function seedRowsTable(
  table: string,
  count: number,
  extra: (id: number) => Record<string, unknown> = () => ({}),
): Promise<void> {
  const client = TableClient.fromConnectionString(azuriteConnectionString(), table, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  const base = Date.parse('2026-01-01T00:00:00Z');
  for (let id = 1; id <= count; id += 1) {
    await client.createEntity({
      partitionKey: 'p',
      rowKey: String(id).padStart(4, '0'),
      id: { value: String(id), type: 'Int64' },
      name: `row ${id}`,
      ...extra(id),
      updated: new Date(base + id * 60_000),
    });
  }
}
