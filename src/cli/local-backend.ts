/**
 * The in-process CliBackend: the services of a Sluice opened on this machine's data dir and store (the
 * same SLUICE_* settings as the server), for the tenant of --org (or the only org) and --sandbox (prod).
 */
import { AppError } from '../domain/errors.ts';
import type { Flow } from '../domain/flow-entities.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { parseExploreQuery } from '../services/explore.ts';
import type { Sluice } from '../sluice.ts';
import { createRunRepository } from '../store/run-repository.ts';
import type { BatchInfo, CliBackend } from './backend.ts';

export interface TenantChoice {
  readonly org?: string;
  readonly sandbox?: string;
}

/** The org of a command: --org, or the only org there is. */
export async function resolveLocalOrg(sluice: Sluice, org: string | undefined): Promise<string> {
  if (org !== undefined) return org;
  const orgs = await sluice.identity.listOrgs();
  if (orgs.length === 1 && orgs[0]) return orgs[0].id;
  if (orgs.length === 0)
    throw new AppError(
      'FLOW-1439-404',
      'There is no organization yet; start the server once or run `sluice orgs create <name>`.',
    );
  throw new AppError(
    'FLOW-1407-400',
    `There are ${orgs.length} organizations; choose one with --org (see \`sluice orgs list\`).`,
  );
}

/** The tenant of a command: --org and --sandbox (default prod). */
export async function resolveLocalTenant(sluice: Sluice, choice: TenantChoice): Promise<Tenant> {
  const orgId = await resolveLocalOrg(sluice, choice.org);
  const name = choice.sandbox ?? 'prod';
  const sandbox = (await sluice.identity.listSandboxes(orgId)).find((candidate) => candidate.name === name);
  if (!sandbox) throw new AppError('FLOW-2100-404', `The sandbox '${name}' does not exist in ${orgId}.`);
  return { orgId, sandboxId: sandbox.id, sandboxName: sandbox.name };
}

export function createLocalBackend(sluice: Sluice, choice: TenantChoice): CliBackend {
  let resolved: Promise<Tenant> | undefined;
  const tenant = (): Promise<Tenant> => (resolved ??= resolveLocalTenant(sluice, choice));

  return {
    where: 'in-process',

    async listFlows() {
      const at = await tenant();
      const flows: Flow[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await sluice.flows.list(at, {
          limit: 100,
          orderBy: { field: 'createdAt', direction: 'asc' },
          filters: [],
          count: false,
          ...(continuationToken === undefined ? {} : { continuationToken }),
        });
        if (page.kind !== 'page') break;
        for (const item of page.items) flows.push(await sluice.flows.load(at, String(item['id'])));
        continuationToken = page.continuationToken;
      } while (continuationToken !== undefined);
      return flows;
    },

    async getFlow(id) {
      return sluice.flows.load(await tenant(), id);
    },

    async latestRuns(flowId, limit) {
      const at = await tenant();
      await sluice.flows.load(at, flowId); // an unknown flow is an error, not an empty list
      return createRunRepository(sluice.store.db).scan(at, { direction: 'desc', limit, flowId });
    },

    async getRun(id) {
      return sluice.runs.load(await tenant(), id);
    },

    async runNow(flowId) {
      return sluice.runs.runNow(await tenant(), flowId);
    },

    async explore(connectionId, query) {
      return sluice.explore.explore(await tenant(), connectionId, parseExploreQuery({ ...query }));
    },

    async listDatasets() {
      return sluice.datasets.list(await tenant(), {
        orderBy: { field: 'name', direction: 'asc' },
        start: 0,
        limit: 1000,
      });
    },

    async getDataset(ref) {
      return sluice.datasets.resolve(await tenant(), ref);
    },

    async listBatches(datasetId, limit) {
      const batches = await sluice.datasets.listBatches(await tenant(), datasetId, { start: 0, limit });
      return batches.map((batch): BatchInfo => ({
        id: batch.id,
        status: batch.status,
        records: batch.records,
        bytes: batch.bytes,
        files: batch.files.length,
        completed: batch.completed,
      }));
    },

    async createDataset(input) {
      const actor = { ...(await tenant()), userId: 'sluice-cli', clientId: 'sluice-cli' };
      return sluice.datasets.create(actor, input);
    },

    async query(sql, maxRows) {
      return sluice.datasets.query(await tenant(), sql, { maxRows });
    },

    async listSandboxes() {
      const sandboxes = await sluice.identity.listSandboxes(await resolveLocalOrg(sluice, choice.org));
      return sandboxes.map(({ name, title, id, createdAt }) => ({ name, title, id, createdAt }));
    },
  };
}
