/**
 * Every source connector Sluice ships. Adding a source = one folder + one line here; a test checks that
 * every connector folder is registered and every spec is valid.
 */
import type { ConnectorModule } from './connector.ts';
import { azureTableStorage } from './azure-table-storage/index.ts';
import { databricks } from './databricks/index.ts';

export const connectorModules: readonly ConnectorModule[] = [azureTableStorage, databricks];
