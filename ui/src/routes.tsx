/** Every screen and its URL. Screens are loaded on demand (one chunk each) to keep the first load small. */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { match } from './router.tsx';

export interface ScreenProps {
  readonly params: Record<string, string>;
}

interface Route {
  readonly pattern: string;
  readonly title: string;
  readonly Screen: LazyExoticComponent<ComponentType<ScreenProps>>;
}

const routes: Route[] = [
  { pattern: '/catalog', title: 'Catalog', Screen: lazy(() => import('./screens/catalog.tsx')) },
  {
    pattern: '/connect/:specId',
    title: 'Connect account',
    Screen: lazy(() => import('./screens/connect.tsx')),
  },
  { pattern: '/accounts', title: 'Accounts', Screen: lazy(() => import('./screens/accounts.tsx')) },
  { pattern: '/accounts/:id', title: 'Account', Screen: lazy(() => import('./screens/account-detail.tsx')) },
  {
    pattern: '/accounts/:id/explore',
    title: 'Select data',
    Screen: lazy(() => import('./screens/explore.tsx')),
  },
  { pattern: '/dataflows', title: 'Dataflows', Screen: lazy(() => import('./screens/dataflows.tsx')) },
  { pattern: '/dataflows/new', title: 'New dataflow', Screen: lazy(() => import('./screens/wizard.tsx')) },
  {
    pattern: '/dataflows/:id',
    title: 'Dataflow runs',
    Screen: lazy(() => import('./screens/flow-runs.tsx')),
  },
  { pattern: '/runs/:id', title: 'Run', Screen: lazy(() => import('./screens/run-detail.tsx')) },
  { pattern: '/datasets', title: 'Datasets', Screen: lazy(() => import('./screens/datasets.tsx')) },
  { pattern: '/datasets/:id', title: 'Dataset', Screen: lazy(() => import('./screens/dataset-detail.tsx')) },
  { pattern: '/query', title: 'SQL console', Screen: lazy(() => import('./screens/sql-console.tsx')) },
];

export function findRoute(path: string): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    const params = match(route.pattern, path);
    if (params !== undefined) return { route, params };
  }
  return undefined;
}
