/**
 * The CliBackend over a Sluice server's public API: the Flow Service (flows, runs, explore), the
 * Catalog (dataSets and their batches) and the query endpoint of the SQL console. Lists are followed
 * through `_links.next.href` as Adobe documents (the href appended to the service's base path).
 */
import { AppError } from '../../domain/errors.ts';
import type { Flow } from '../../domain/flow-entities.ts';
import type { QueryResult } from '../../lake/index.ts';
import type { ExploreResult } from '../../services/explore.ts';
import type { CliBackend, DatasetInfo, RunInfo, SandboxInfo } from '../backend.ts';
import type { RemoteClient } from './client.ts';
import { batchFromView, datasetFromView, flowFromView, runFromView } from './views.ts';

const FLOW_SERVICE = '/data/foundation/flowservice';
const CATALOG = '/data/foundation/catalog';
const QUERY = '/data/foundation/query/queries';
const SANDBOXES = '/data/foundation/sandbox-management/sandboxes';
const DATASET_ID = /^[0-9a-f]{24}$/;
/** The server's list limit may be lowered (SLUICE_LIST_MAX_LIMIT); 100 is within every default. */
const PAGE = 100;

interface ListPage {
  readonly items?: unknown[];
  readonly _links?: { readonly next?: { readonly href?: string } };
}

const keyed = (answer: unknown): [string, unknown][] =>
  typeof answer === 'object' && answer !== null ? Object.entries(answer) : [];

/** Splits a relative href (`/flows?continuationToken=…`) into the path and its query. */
function hrefParts(href: string): { path: string; query: Record<string, string[]> } {
  const url = new URL(href, 'http://sluice.invalid');
  const query: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (query[name] ??= []).push(value);
  return { path: url.pathname, query };
}

export function createRemoteBackend(client: RemoteClient): CliBackend {
  /** Items of a Flow Service list, page after page, until `max` items or the last page. */
  const collect = async (
    path: string,
    query: Record<string, string | string[]>,
    max = Number.POSITIVE_INFINITY,
  ): Promise<unknown[]> => {
    const items: unknown[] = [];
    let page = (await client.get(`${FLOW_SERVICE}${path}`, query)) as ListPage;
    for (;;) {
      items.push(...(page.items ?? []));
      const href = page._links?.next?.href;
      if (items.length >= max || href === undefined) break;
      const next = hrefParts(href);
      page = (await client.get(`${FLOW_SERVICE}${next.path}`, next.query)) as ListPage;
    }
    return items.slice(0, max);
  };

  const one = async (path: string): Promise<unknown> => {
    const answer = (await client.get(`${FLOW_SERVICE}${path}`)) as ListPage;
    return answer.items?.[0];
  };

  const getFlow = async (id: string): Promise<Flow> =>
    flowFromView(await one(`/flows/${encodeURIComponent(id)}`));

  const getDataset = async (ref: string): Promise<DatasetInfo> => {
    const answer = DATASET_ID.test(ref)
      ? await client.get(`${CATALOG}/dataSets/${ref}`).catch((error: unknown) => {
          // An id-shaped name: not found by id, so try it as a name below.
          if (error instanceof Error && error.name === 'RemoteProblem') return {};
          throw error;
        })
      : {};
    const [found] = keyed(answer);
    if (found !== undefined) return datasetFromView(found[0], found[1]);
    const [named] = keyed(await client.get(`${CATALOG}/dataSets`, { name: ref, limit: '1' }));
    if (named === undefined)
      throw new AppError(
        'FLOW-1439-404',
        `There is no dataset '${ref}' in this sandbox (as an id or a name); see \`sluice datasets list\`.`,
      );
    return datasetFromView(named[0], named[1]);
  };

  return {
    where: client.url,

    async listFlows() {
      const items = await collect('/flows', { limit: String(PAGE), orderby: 'createdAt' });
      return items.map(flowFromView);
    },

    getFlow,

    async latestRuns(flowId, limit) {
      await getFlow(flowId); // an unknown flow is an error, not an empty list
      const items = await collect(
        '/runs',
        { property: `flowId==${flowId}`, limit: String(Math.min(limit, PAGE)), orderby: '-createdAt' },
        limit,
      );
      return items.map(runFromView);
    },

    async getRun(id): Promise<RunInfo> {
      return runFromView(await one(`/runs/${encodeURIComponent(id)}`));
    },

    runNow() {
      return Promise.reject(
        new AppError(
          'CLI-1003-400',
          "`sluice flows run` is local-only: the public API creates runs only for flows with frequency once (POST /runs with a window); a scheduled flow's next window is made by the server's scheduler. Run it on the server's machine without --url, or create a once flow and POST /runs.",
        ),
      );
    },

    async explore(connectionId, query) {
      return (await client.get(`${FLOW_SERVICE}/connections/${encodeURIComponent(connectionId)}/explore`, {
        ...query,
      })) as ExploreResult;
    },

    async listDatasets() {
      const datasets: DatasetInfo[] = [];
      for (let start = 0; ; start += PAGE) {
        const page = keyed(
          await client.get(`${CATALOG}/dataSets`, {
            orderBy: 'asc:name',
            limit: String(PAGE),
            start: String(start),
          }),
        );
        datasets.push(...page.map(([id, view]) => datasetFromView(id, view)));
        if (page.length < PAGE) return datasets;
      }
    },

    getDataset,

    async listBatches(datasetId, limit) {
      const answer = await client.get(`${CATALOG}/dataSets/${encodeURIComponent(datasetId)}/batches`, {
        limit: String(Math.min(limit, PAGE)),
      });
      return keyed(answer).map(([id, view]) => batchFromView(id, view));
    },

    async createDataset(input) {
      const created = await client.post(`${CATALOG}/dataSets`, input);
      const reference = Array.isArray(created) ? String(created[0]) : '';
      return getDataset(reference.replace('@/dataSets/', ''));
    },

    async query(sql, maxRows) {
      const answer = (await client.post(QUERY, { sql, maxRows })) as QueryResult;
      return { columns: answer.columns, rows: answer.rows, truncated: answer.truncated };
    },

    async listSandboxes() {
      const sandboxes: SandboxInfo[] = [];
      for (let offset = 0; ; offset += PAGE) {
        const answer = (await client.get(SANDBOXES, {
          limit: String(PAGE),
          offset: String(offset),
        })) as { sandboxes?: { name: string; title: string; createdDate: string }[] };
        const page = answer.sandboxes ?? [];
        sandboxes.push(
          ...page.map((s) => ({ name: s.name, title: s.title, createdAt: Date.parse(s.createdDate) })),
        );
        if (page.length < PAGE) return sandboxes;
      }
    },
  };
}
