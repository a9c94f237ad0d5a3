/**
 * What flows use, for the deletion guards of the entities they reference: a base connection, a source
 * or target connection, or a dataset that some flow of the sandbox uses cannot be deleted; the refusal
 * names the flows (FLOW-1418 for base connections, FLOW-1447 for the others). Built on the repositories
 * alone, so every service can be given the guard it needs without depending on the flow service.
 */
import { AppError } from '../domain/errors.ts';
import type { Flow, TargetConnection } from '../domain/flow-entities.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { EntityRepository } from '../store/entity-repository.ts';

export type UsageGuard = (tenant: Tenant, id: string) => Promise<void>;

export interface FlowUsage {
  readonly assertConnectionUnused: UsageGuard;
  readonly assertSourceConnectionUnused: UsageGuard;
  readonly assertTargetConnectionUnused: UsageGuard;
  readonly assertDatasetUnused: UsageGuard;
}

export function createFlowUsage(deps: {
  readonly flows: EntityRepository<Flow>;
  readonly targetConnections: EntityRepository<TargetConnection>;
}): FlowUsage {
  const allFlows = async (tenant: Tenant): Promise<Flow[]> => {
    const flows: Flow[] = [];
    let after: { value: number; id: string } | undefined;
    for (;;) {
      const page = await deps.flows.scan(tenant, {
        orderBy: { field: 'createdAt', direction: 'asc' },
        limit: 500,
        ...(after === undefined ? {} : { after }),
      });
      flows.push(...page);
      const last = page.at(-1);
      if (page.length < 500 || !last) return flows;
      after = { value: last.createdAt, id: last.id };
    }
  };

  const refuseIfUsed = async (
    tenant: Tenant,
    uses: (flow: Flow) => boolean,
    code: 'FLOW-1418-400' | 'FLOW-1447-400',
    what: string,
  ): Promise<void> => {
    const users = (await allFlows(tenant)).filter(uses);
    if (users.length > 0) {
      throw new AppError(
        code,
        `${what} cannot be deleted because it is used by ${String(users.length)} flow(s): ${users.map((flow) => `${flow.id} (${flow.name})`).join(', ')}. Delete those flows first.`,
        { flows: users.map((flow) => flow.id) },
      );
    }
  };

  return {
    assertConnectionUnused: (tenant, connectionId) =>
      refuseIfUsed(
        tenant,
        (flow) =>
          flow.inheritedAttributes.sourceConnections.some(
            (source) => source.baseConnection.id === connectionId,
          ),
        'FLOW-1418-400',
        `The base connection with the ID ${connectionId}`,
      ),
    assertSourceConnectionUnused: (tenant, id) =>
      refuseIfUsed(
        tenant,
        (flow) => flow.sourceConnectionIds.includes(id),
        'FLOW-1447-400',
        `The source connection ${id}`,
      ),
    assertTargetConnectionUnused: (tenant, id) =>
      refuseIfUsed(
        tenant,
        (flow) => flow.targetConnectionIds.includes(id),
        'FLOW-1447-400',
        `The target connection ${id}`,
      ),
    async assertDatasetUnused(tenant, dataSetId) {
      const users = new Set<string>();
      for (const flow of await allFlows(tenant)) {
        for (const targetId of flow.targetConnectionIds) {
          const target = await deps.targetConnections.get(tenant, targetId);
          if (target?.params.dataSetId === dataSetId) users.add(flow.id);
        }
      }
      await refuseIfUsed(tenant, (flow) => users.has(flow.id), 'FLOW-1447-400', `The dataset ${dataSetId}`);
    },
  };
}
