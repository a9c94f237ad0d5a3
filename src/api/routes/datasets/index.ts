import type { App, RouteDeps } from '../../types.ts';
import { getBatch, listDatasetBatches } from './batches.ts';
import { createDataset } from './create.ts';
import { deleteDataset } from './delete.ts';
import { getDataset } from './get.ts';
import { listDatasets } from './list.ts';
import { previewDataset } from './preview.ts';

export { CATALOG_PREFIX } from './views.ts';

/** Catalog Service operations (datasets and batches), one function per operation; mounted at CATALOG_PREFIX. */
export function registerCatalogRoutes(app: App, deps: RouteDeps): void {
  for (const register of [
    createDataset,
    listDatasets,
    getDataset,
    deleteDataset,
    listDatasetBatches,
    getBatch,
    previewDataset,
  ]) {
    register(app, deps);
  }
}
