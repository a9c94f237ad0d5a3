import type { App, RouteDeps } from '../types.ts';
import { getConnectionSpec } from './connection-specs/get.ts';
import { listConnectionSpecs } from './connection-specs/list.ts';
import { connectionAction } from './connections/action.ts';
import { createConnection } from './connections/create.ts';
import { deleteConnection } from './connections/delete.ts';
import { exploreConnection } from './connections/explore.ts';
import { getConnection } from './connections/get.ts';
import { listConnections, searchConnections } from './connections/list.ts';
import { patchConnection } from './connections/patch.ts';
import { testConnection } from './connections/test.ts';
import { registerFlowSpecRoutes } from './flow-specs/index.ts';
import { registerFlowRoutes } from './flows/index.ts';
import { registerRunRoutes } from './runs/index.ts';

/** Every Flow Service operation, one function (and file) per operation. */
export function registerFlowServiceRoutes(app: App, deps: RouteDeps): void {
  for (const register of [
    listConnectionSpecs,
    getConnectionSpec,
    createConnection,
    listConnections,
    searchConnections,
    getConnection,
    patchConnection,
    deleteConnection,
    testConnection,
    connectionAction,
    exploreConnection,
  ]) {
    register(app, deps);
  }
  registerFlowSpecRoutes(app, deps);
  registerFlowRoutes(app, deps);
  registerRunRoutes(app, deps);
}
