import { Type } from 'typebox';
import { DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH } from '../../../domain/limits.ts';
import { AppError } from '../../../domain/errors.ts';
import type { FlowInput } from '../../../services/flow-validation.ts';
import type { SourceConnectionInput } from '../../../services/source-connections.ts';
import type { TargetConnectionInput } from '../../../services/target-connections.ts';
import type { App, RouteDeps } from '../../types.ts';
import { COMMON_FILTER_FIELDS, registerEntityRoutes } from '../entity-routes.ts';

const SpecRef = Type.Object({ id: Type.String({ minLength: 1 }), version: Type.Optional(Type.String()) });
const publishOnly =
  (kind: string) =>
  (op: string): void => {
    if (op.toLowerCase() !== 'publish')
      throw new AppError('FLOW-1421-400', `The action '${op}' is not supported for ${kind}; use op=publish.`);
  };

/** Flow fields holding epoch-millisecond times (a filter on them compares numbers). */
export const FLOW_NUMERIC_FIELDS = [
  'lastRunDetails.startedAtUTC',
  'lastRunDetails.completedAtUTC',
  'lastOperation.started',
  'lastOperation.updated',
];

export function registerFlowRoutes(app: App, deps: RouteDeps): void {
  registerEntityRoutes<SourceConnectionInput>(app, deps, {
    collection: 'sourceConnections',
    tag: 'source connection',
    createBody: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH }),
        description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX_LENGTH })),
        baseConnectionId: Type.String({ minLength: 1 }),
        data: Type.Optional(
          Type.Object({ format: Type.Optional(Type.String()) }, { additionalProperties: true }),
        ),
        params: Type.Record(Type.String(), Type.Unknown(), {
          description: "Validated against the connector's sourceSpec and the live table.",
        }),
        connectionSpec: SpecRef,
      },
      { additionalProperties: true },
    ),
    filterFields: [...COMMON_FILTER_FIELDS, 'baseConnectionId', 'data', 'params'],
    actions: ['publish'],
    service: ({ sourceConnections }) => ({
      ...sourceConnections,
      action: (actor, id, op, ifMatch) => {
        publishOnly('source connections')(op);
        return sourceConnections.publish(actor, id, ifMatch);
      },
    }),
  });

  registerEntityRoutes<TargetConnectionInput>(app, deps, {
    collection: 'targetConnections',
    tag: 'target connection',
    createBody: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH }),
        description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX_LENGTH })),
        data: Type.Optional(
          Type.Object({ format: Type.Optional(Type.String()) }, { additionalProperties: true }),
        ),
        params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        connectionSpec: SpecRef,
      },
      { additionalProperties: true },
    ),
    filterFields: [...COMMON_FILTER_FIELDS, 'data', 'params'],
    actions: ['publish'],
    service: ({ targetConnections }) => ({
      ...targetConnections,
      action: (actor, id, op, ifMatch) => {
        publishOnly('target connections')(op);
        return targetConnections.publish(actor, id, ifMatch);
      },
    }),
  });

  registerEntityRoutes<FlowInput>(app, deps, {
    collection: 'flows',
    tag: 'flow',
    createBody: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH }),
        description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX_LENGTH })),
        flowSpec: SpecRef,
        sourceConnectionIds: Type.Array(Type.Unknown()),
        targetConnectionIds: Type.Array(Type.Unknown()),
        transformations: Type.Optional(
          Type.Array(
            Type.Object({
              name: Type.String(),
              params: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
            }),
          ),
        ),
        scheduleParams: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        labels: Type.Optional(Type.Array(Type.String())),
      },
      { additionalProperties: true },
    ),
    filterFields: [
      ...COMMON_FILTER_FIELDS,
      'flowSpec',
      'sourceConnectionIds',
      'targetConnectionIds',
      'inheritedAttributes',
      'transformations',
      'scheduleParams',
      'options',
      'labels',
      'lastRunDetails',
      'lastOperation',
    ],
    numericFields: FLOW_NUMERIC_FIELDS,
    actions: ['enable', 'disable', 'publish'],
    search: true,
    service: ({ flows }) => flows,
  });
}
