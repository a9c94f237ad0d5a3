import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { listEnvelope, parseList } from '../../listing.ts';
import { errorResponses, IdParams, ItemsResponse, ListQuerystring, ListResponse } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

const RUN_FILTER_FIELDS = [
  'id',
  'flowId',
  'flowSpec',
  'state',
  'kind',
  'metrics',
  'activities',
  'createdAt',
  'updatedAt',
  'createdBy',
  'createdClient',
  'sandboxId',
  'sandboxName',
  'imsOrgId',
  'etag',
  'params',
  'providerRefId',
  'retriggerOf',
  'replacesBatchId',
];

const CreatedRunResponse = Type.Object(
  {
    id: Type.String(),
    etag: Type.String({ description: 'The new etag, quoted.' }),
    state: Type.String({
      description:
        "`scheduled`: the run is the flow's current run and starts as soon as a worker is free; `queued`: it waits for the flow's runs before it to end, then starts (Sluice extension).",
    }),
  },
  { description: 'The created run.' },
);
/** Run fields holding numbers: epoch-millisecond times and record counts. */
const RUN_NUMERIC_FIELDS = [
  'metrics.durationSummary.startedAtUTC',
  'metrics.durationSummary.completedAtUTC',
  'metrics.recordSummary.inputRecordCount',
  'metrics.recordSummary.outputRecordCount',
  'metrics.recordSummary.failedRecordCount',
];

export function registerRunRoutes(app: App, deps: RouteDeps): void {
  app.get(
    '/runs',
    {
      schema: {
        summary: 'List runs, e.g. ?property=flowId==<id>&property=metrics.statusSummary.status==failed',
        tags: ['runs'],
        querystring: ListQuerystring,
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request) => {
      const parsed = parseList(request, {
        sortFields: ['createdAt'],
        defaultSort: { field: 'createdAt', direction: 'desc' },
        filterFields: RUN_FILTER_FIELDS,
        numericFields: RUN_NUMERIC_FIELDS,
        ...deps.listLimits,
      });
      return listEnvelope('runs', await deps.runs.list(actorOf(request), parsed)) as never;
    },
  );

  app.get(
    '/runs/:id',
    {
      schema: {
        summary: 'Get a run with its metrics and activities',
        tags: ['runs'],
        params: IdParams,
        response: { 200: ItemsResponse, ...errorResponses },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      return { items: [await deps.runs.get(actorOf(request), request.params.id)] };
    },
  );

  app.post(
    '/runs',
    {
      schema: {
        summary: 'Create an on-demand run of a flow with frequency once',
        tags: ['runs'],
        body: Type.Object(
          {
            flowId: Type.String({ minLength: 1 }),
            params: Type.Optional(
              Type.Object(
                {
                  startTime: Type.Optional(Type.Union([Type.String(), Type.Integer()])),
                  windowStartTime: Type.Union([Type.String(), Type.Integer()]),
                  windowEndTime: Type.Union([Type.String(), Type.Integer()]),
                  deltaColumn: Type.Optional(Type.Object({ name: Type.String() })),
                },
                { additionalProperties: true },
              ),
            ),
          },
          { additionalProperties: true },
        ),
        response: { 201: CreatedRunResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      return reply.status(201).send(await deps.runs.createOnDemand(actorOf(request), request.body));
    },
  );

  app.post(
    '/runs/:id/action',
    {
      schema: {
        summary:
          "Re-run a failed run's window (op=RE_TRIGGER; of a success run whose batch is damaged, a repair that replaces the batch) or cancel a run (op=cancel)",
        tags: ['runs'],
        params: IdParams,
        querystring: Type.Object({ op: Type.Optional(Type.String()) }, { additionalProperties: true }),
        response: { 200: ItemsResponse, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['op', 'if-match']);
      const op = query['op'];
      if (typeof op !== 'string' || op === '')
        throw new AppError(
          'FLOW-1421-400',
          'The query parameter op is required: op=RE_TRIGGER or op=cancel.',
        );
      return { items: [await deps.runs.action(actorOf(request), request.params.id, op)] };
    },
  );
}
