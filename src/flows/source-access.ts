/**
 * Opening a flow's source for a run: the base connection from the store, its secret params unsealed
 * (only here and in the connection service, and never written anywhere), and the connector of its spec
 * from the connector runtime. A connection that no longer exists is `undefined`, not an error: the run
 * decides what that means.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { ConnectorContext, SourceConnector } from '../connectors/connector.ts';
import type { ConnectorRuntime } from '../connectors/runtime.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { openSecrets } from '../crypto/secret-fields.ts';
import type { Connection } from '../domain/connection.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { EntityRepository } from '../store/entity-repository.ts';

export interface OpenedSource {
  readonly connection: Connection;
  /** The auth params with secrets in clear, for the connector call only. */
  readonly params: Record<string, unknown>;
  readonly connector: SourceConnector;
}

export interface SourceAccess {
  open(tenant: Tenant, connectionId: string): Promise<OpenedSource | undefined>;
  /** A connector context bounded by `signal` (a run's), not by the explore timeout. */
  context(signal: AbortSignal): ConnectorContext;
}

export interface SourceAccessDeps {
  readonly connections: EntityRepository<Connection>;
  readonly catalog: Catalog;
  readonly secrets: SecretBox;
  readonly runtime: ConnectorRuntime;
}

export function createSourceAccess(deps: SourceAccessDeps): SourceAccess {
  return {
    async open(tenant, connectionId) {
      const connection = await deps.connections.get(tenant, connectionId);
      if (!connection) return undefined;
      const spec = deps.catalog.connectionSpec(connection.connectionSpec.id);
      const auth = spec && deps.catalog.authSpec(spec, connection.auth.specName);
      if (!auth) throw new Error(`stored connection ${connection.id} names an unknown spec or auth spec`);
      return {
        connection,
        params: openSecrets(auth.spec, connection.auth.params, deps.secrets),
        connector: deps.runtime.connector(connection.connectionSpec.id),
      };
    },
    context: (signal) => deps.runtime.context(signal),
  };
}
