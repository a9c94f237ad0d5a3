import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Catalog } from '../catalog/catalog.ts';
import type { ReadinessCheck } from './health.ts';
import type { ListRules } from '../domain/listing.ts';
import type { ConnectionService } from '../services/connections.ts';
import type { DatasetService } from '../services/datasets.ts';
import type { ExploreService } from '../services/explore.ts';
import type { FlowSpecService } from '../services/flow-specs.ts';
import type { FlowService } from '../services/flows.ts';
import type { RunService } from '../services/runs.ts';
import type { SchemaRegistryService } from '../services/schema-registry.ts';
import type { SourceConnectionService } from '../services/source-connections.ts';
import type { TargetConnectionService } from '../services/target-connections.ts';
import type { IdentityService } from '../services/identity.ts';
import type { MappingSetService } from '../services/mapping-sets.ts';
import type { FailedRecordsService } from '../services/failed-records.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What routes need: the services (use cases) and the list limits. */
export interface RouteDeps {
  readonly catalog: Catalog;
  readonly identity: IdentityService;
  readonly connections: ConnectionService;
  readonly explore: ExploreService;
  readonly datasets: DatasetService;
  readonly mappingSets: MappingSetService;
  readonly sourceConnections: SourceConnectionService;
  readonly targetConnections: TargetConnectionService;
  readonly flows: FlowService;
  readonly flowSpecs: FlowSpecService;
  readonly runs: RunService;
  readonly schemas: SchemaRegistryService;
  readonly failedRecords: FailedRecordsService;
  readonly listLimits: Pick<ListRules, 'defaultLimit' | 'maxLimit'>;
  readonly health: {
    /** One round trip to the store (the store readiness check, and the probe during an outage). */
    readonly probeStore: () => Promise<unknown>;
    /** True when an error means the store is unreachable (answered 503, not 500). */
    readonly isStoreUnavailable: (error: unknown) => boolean;
    /** Further readiness checks after `store` (migrations; later e.g. the queue). */
    readonly checks: readonly ReadinessCheck[];
  };
}
