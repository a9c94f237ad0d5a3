/** Whole collections over paged lists (following `_links.next.href`), for the screens that count or join. */
import { api, nextQuery, unwrap } from './api.ts';
import type { Connection, ConnectionSpec, Flow } from './model.ts';

type ListPath =
  | '/data/foundation/flowservice/connections'
  | '/data/foundation/flowservice/flows'
  | '/data/foundation/flowservice/connectionSpecs'
  | '/data/foundation/flowservice/sourceConnections'
  | '/data/foundation/flowservice/targetConnections';

/** Every item of a Flow Service list, page by page (at most `max`). */
export async function listAll<T>(
  path: ListPath,
  query: Record<string, string> = {},
  max = 5000,
): Promise<T[]> {
  const items: T[] = [];
  // The catalog of specs is not paged (Adobe's connectionSpecs take no limit).
  let params: Record<string, string> | undefined = path.endsWith('/connectionSpecs')
    ? query
    : { limit: '100', ...query };
  while (params !== undefined && items.length < max) {
    const page = unwrap(await api.GET(path, { params: { query: params } })) as {
      items?: unknown[];
      _links?: { next?: { href: string } };
    };
    items.push(...((page.items ?? []) as T[]));
    params = nextQuery(page._links?.next?.href);
  }
  return items;
}

export const sourceSpecs = async (): Promise<ConnectionSpec[]> =>
  (await listAll<ConnectionSpec>('/data/foundation/flowservice/connectionSpecs')).filter(
    (spec) => spec.attributes?.['isSource'] === true,
  );

export const allConnections = (): Promise<Connection[]> =>
  listAll<Connection>('/data/foundation/flowservice/connections');

export const allFlows = (): Promise<Flow[]> => listAll<Flow>('/data/foundation/flowservice/flows');

/** The source connection spec a flow reads from. */
export const flowSpecId = (flow: Flow): string | undefined =>
  flow.inheritedAttributes?.sourceConnections?.[0]?.connectionSpec?.id;

/** The base connection (account) a flow reads from. */
export const flowConnectionId = (flow: Flow): string | undefined =>
  flow.inheritedAttributes?.sourceConnections?.[0]?.baseConnection?.id;

export const specLabel = (spec: ConnectionSpec | undefined): string =>
  typeof spec?.attributes?.['connectorName'] === 'string'
    ? spec.attributes['connectorName']
    : (spec?.name ?? 'Unknown source');
