/**
 * The Azure Databricks source (connectionSpec e9d7ec6b-0873-4e57-ad21-b3a7c65e310b): a PAT-authenticated
 * workspace, an interactive cluster's SQL endpoint for explore/preview, and the REST API for cluster state.
 */
import type { ConnectionSpec } from '../../domain/specs.ts';
import type { ConnectorModule, SourceConnector } from '../connector.ts';
import { describeTable, listTables, preview } from './explore.ts';
import spec from './spec.json' with { type: 'json' };
import { testConnection } from './test-connection.ts';

export { ensureClusterRunning, type EnsureRunningOptions, type ClusterInfo } from './cluster.ts';
export { parseWorkspace, type Workspace } from './params.ts';

export const databricksSpec: ConnectionSpec = spec;

const connector: SourceConnector = {
  specId: spec.id,
  test: testConnection,
  listTables,
  describeTable,
  preview,
};

export const databricks: ConnectorModule = {
  spec: databricksSpec,
  // Stateless: every call opens its own client with the connection's params, so one instance serves all.
  create: () => connector,
};
