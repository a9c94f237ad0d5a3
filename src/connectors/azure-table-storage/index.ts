/**
 * The Azure Table Storage source (connectionSpec ecde33f2-c56f-46cc-bdea-ad151c16cd69): a storage
 * account reached with a connection string (account key, SAS or development storage), read through
 * the official SDK (sdk.ts). Schemas are inferred from a bounded sample of entities.
 */
import type { ConnectionSpec } from '../../domain/specs.ts';
import type { ConnectorModule, ConnectorOptions, ReadableConnector } from '../connector.ts';
import { describeTable, listTables, preview, type AtsHooks } from './explore.ts';
import { planRead, read, splitRead } from './read.ts';
import spec from './spec.json' with { type: 'json' };
import { testConnection } from './test-connection.ts';

export { parseConnectionString, type ParsedConnectionString } from './connection-string.ts';
export { MAX_SCANNED_ENTITIES, type AtsHooks } from './explore.ts';

export const azureTableStorageSpec: ConnectionSpec = spec;

/** The connector; `hooks` exist for tests that observe how much is read. */
export function createAzureTableStorage(options: ConnectorOptions, hooks: AtsHooks = {}): ReadableConnector {
  return {
    specId: spec.id,
    test: testConnection,
    listTables: (params, ctx) => listTables(params, ctx, hooks),
    describeTable: (params, table, ctx) => describeTable(params, table, ctx, options, hooks),
    preview: (params, request, ctx) => preview(params, request, ctx, options, hooks),
    planRead: (params, table, ctx) => planRead(params, table, ctx, options, hooks),
    read: (params, request, ctx) => read(params, request, ctx, options, hooks),
    splitRead: (params, request, ranges, ctx) => splitRead(params, request, ranges, ctx, hooks),
  };
}

export const azureTableStorage: ConnectorModule = {
  spec: azureTableStorageSpec,
  create: (options) => createAzureTableStorage(options),
};
