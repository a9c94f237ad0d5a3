/**
 * flowSpecs search (`POST /flowSpecs/search`): the catalogue's flow specs with the listing's filters,
 * ordering (name or id) and continuation tokens. Specs are global; a token is still bound to the tenant
 * that listed, like every other token.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { CursorCodec } from '../domain/cursor.ts';
import type { ParsedListRequest } from '../domain/listing.ts';
import type { FlowSpec } from '../domain/specs.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { listInMemory, type ListOutcome } from './listing.ts';

export interface FlowSpecService {
  search(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<FlowSpec>>;
}

export function createFlowSpecService(deps: { catalog: Catalog; cursors: CursorCodec }): FlowSpecService {
  return {
    search: (tenant, request) =>
      listInMemory({
        items: deps.catalog.flowSpecs,
        tenant,
        collection: 'flowSpecs',
        request,
        cursors: deps.cursors,
        sortValue: (spec, field) => (field === 'name' ? spec.name : spec.id),
      }),
  };
}
