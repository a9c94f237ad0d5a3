import type { Migration } from 'kysely/migration';
import * as identity from './001-identity.ts';
import * as connections from './002-connections.ts';
import * as datasets from './003-datasets.ts';
import * as mappingSets from './004-mapping-sets.ts';
import * as flows from './005-flows.ts';
import * as runs from './006-runs.ts';
import * as xdmSchemas from './008-xdm-schemas.ts';
import * as workers from './009-workers.ts';
import * as entityViews from './010-entity-views.ts';

/** Ordered by name; a migration, once released, is never edited — add a new one. */
export const migrations: Record<string, Migration> = {
  '001-identity': identity,
  '002-connections': connections,
  '003-datasets': datasets,
  '004-mapping-sets': mappingSets,
  '005-flows': flows,
  '006-runs': runs,
  '008-xdm-schemas': xdmSchemas,
  '009-workers': workers,
  '010-entity-views': entityViews,
};
