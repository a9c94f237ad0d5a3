import type { App, RouteDeps } from '../../types.ts';
import { createMappingSet } from './create.ts';
import { getMappingSet } from './get.ts';
import { listMappingSets } from './list.ts';
import { updateMappingSet } from './update.ts';
import { validateMappingSet } from './validate.ts';

/** Data Prep (Mapping Service) routes live under their own prefix, as at Adobe. */
export const CONVERSION_PREFIX = '/data/foundation/conversion';

/**
 * Every Data Prep operation Sluice serves, one function (and file) per operation. There is no DELETE:
 * Adobe's Data Prep API has none, and flows pin mapping versions that must stay readable.
 */
export function registerConversionRoutes(app: App, deps: RouteDeps): void {
  for (const register of [
    createMappingSet,
    validateMappingSet,
    listMappingSets,
    getMappingSet,
    updateMappingSet,
  ]) {
    register(app, deps);
  }
}
