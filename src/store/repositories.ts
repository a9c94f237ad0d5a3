import type { Kysely } from 'kysely';
import type { Connection } from '../domain/connection.ts';
import { createDatasetRepository, type DatasetRepository } from './dataset-repository.ts';
import { createEntityRepository, type EntityRepository } from './entity-repository.ts';
import { createIdentityRepository, type IdentityRepository } from './identity-repository.ts';
import { createMappingRepository, type MappingRepository } from './mapping-repository.ts';
import type { Database } from './schema.ts';

export interface Repositories {
  readonly identity: IdentityRepository;
  readonly connections: EntityRepository<Connection>;
  readonly mappingSets: MappingRepository;
  readonly datasets: DatasetRepository;
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
  };
}
