import type { Kysely } from 'kysely';
import type { Connection } from '../domain/connection.ts';
import type { Flow, SourceConnection, TargetConnection } from '../domain/flow-entities.ts';
import { createDatasetRepository, type DatasetRepository } from './dataset-repository.ts';
import { createEntityRepository, type EntityRepository } from './entity-repository.ts';
import { createIdentityRepository, type IdentityRepository } from './identity-repository.ts';
import { createMappingRepository, type MappingRepository } from './mapping-repository.ts';
import { createRunRepository, type RunRepository } from './run-repository.ts';
import type { Database } from './schema.ts';
import { createWorkerRepository, type WorkerRepository } from './worker-repository.ts';
import { createXdmSchemaRepository, type XdmSchemaRepository } from './xdm-schema-repository.ts';

export interface Repositories {
  readonly identity: IdentityRepository;
  readonly connections: EntityRepository<Connection>;
  readonly mappingSets: MappingRepository;
  readonly datasets: DatasetRepository;
  readonly sourceConnections: EntityRepository<SourceConnection>;
  readonly targetConnections: EntityRepository<TargetConnection>;
  readonly flows: EntityRepository<Flow>;
  readonly runs: RunRepository;
  readonly workers: WorkerRepository;
  readonly xdmSchemas: XdmSchemaRepository;
}

export function createRepositories(db: Kysely<Database>): Repositories {
  return {
    identity: createIdentityRepository(db),
    connections: createEntityRepository<Connection>(db, 'connections', (connection) => ({
      name: connection.name,
      state: connection.state,
      specId: connection.connectionSpec.id,
    })),
    mappingSets: createMappingRepository(db),
    datasets: createDatasetRepository(db),
    sourceConnections: createEntityRepository<SourceConnection>(db, 'source_connections', (entity) => ({
      name: entity.name,
      state: entity.state,
      specId: entity.connectionSpec.id,
    })),
    targetConnections: createEntityRepository<TargetConnection>(db, 'target_connections', (entity) => ({
      name: entity.name,
      state: entity.state,
      specId: entity.connectionSpec.id,
    })),
    runs: createRunRepository(db),
    workers: createWorkerRepository(db),
    xdmSchemas: createXdmSchemaRepository(db),
    flows: createEntityRepository<Flow>(db, 'flows', (flow) => ({
      name: flow.name,
      state: flow.state,
      specId: flow.flowSpec.id,
    })),
  };
}
