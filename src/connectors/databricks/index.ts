/**
 * The Azure Databricks source (connectionSpec e9d7ec6b-0873-4e57-ad21-b3a7c65e310b): a PAT-authenticated
 * workspace, an interactive cluster's SQL endpoint for explore/preview, and the REST API for cluster state.
 */
import type { ConnectionSpec } from '../../domain/specs.ts';
import type { ConnectorModule, ReadableConnector } from '../connector.ts';
import { describeTable, listTables, preview } from './explore.ts';
import { planRead, prepareRead, read, splitRead } from './read.ts';
import type { ReadSessionHooks } from './read-session.ts';
import spec from './spec.json' with { type: 'json' };
import { testConnection } from './test-connection.ts';

export { ensureClusterRunning, type EnsureRunningOptions, type ClusterInfo } from './cluster.ts';
export { parseWorkspace, type Workspace } from './params.ts';

export const databricksSpec: ConnectionSpec = spec;

/** The connector; `hooks` exist for tests that observe what a read releases. */
export const createDatabricks = (hooks: ReadSessionHooks = {}): ReadableConnector => ({
  specId: spec.id,
  test: testConnection,
  listTables,
  describeTable,
  preview,
  prepareRead,
  planRead,
  read: (params, request, ctx) => read(params, request, ctx, hooks),
  splitRead: (params, request, ranges, ctx) => splitRead(params, request, ranges, ctx, hooks),
});

const connector = createDatabricks();

export const databricks: ConnectorModule = {
  spec: databricksSpec,
  // Stateless: every call opens its own client with the connection's params, so one instance serves all.
  create: () => connector,
};
