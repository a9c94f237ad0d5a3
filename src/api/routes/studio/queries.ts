/**
 * `POST /data/foundation/query/queries` with `{ sql, maxRows? }`: the SQL console of Sluice Studio and the
 * remote `sluice query`. It runs the same locked-down query as the CLI (services/datasets.ts `query`: one
 * SELECT over `dataset('…')` of this sandbox's committed batches, row and time limits) and answers at
 * once with the rows, where Adobe's Query Service would answer SUBMITTED and be polled; the envelope
 * keeps Adobe's `id`, `state` and `sql`. A refused or failing query is a 400 (LAKE-1001/1002/1003).
 * Read-only tokens may query: nothing is written.
 */
import { randomUUID } from 'node:crypto';
import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

export const QUERY_PREFIX = '/data/foundation/query';
export const QUERY_MAX_ROWS = 10_000;

const QueryResponse = Type.Object({
  id: Type.String(),
  state: Type.Literal('SUCCESS'),
  sql: Type.String(),
  created: Type.String({ format: 'date-time' }),
  elapsedMs: Type.Number(),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  rows: Type.Array(Type.Array(Type.Unknown())),
  rowCount: Type.Integer(),
  truncated: Type.Boolean({ description: 'True when the result had more than maxRows rows.' }),
});

export function registerQueryRoutes(app: App, deps: RouteDeps): void {
  app.post(
    '/queries',
    {
      schema: {
        summary: "Run a read-only SQL query over dataset('<name or id>') and return its rows",
        tags: ['query'],
        body: Type.Object(
          {
            sql: Type.String({ minLength: 1, maxLength: 100_000 }),
            maxRows: Type.Optional(
              Type.Integer({ minimum: 1, maximum: QUERY_MAX_ROWS, description: 'Default 1000.' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: QueryResponse, ...errorResponses },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const started = performance.now();
      const maxRows = request.body.maxRows ?? 1000;
      const result = await deps.datasets.query(actorOf(request), request.body.sql, { maxRows });
      return {
        id: randomUUID(),
        state: 'SUCCESS' as const,
        sql: request.body.sql,
        created: new Date().toISOString(),
        elapsedMs: Math.round((performance.now() - started) * 10) / 10,
        columns: [...result.columns],
        rows: result.rows.map((row) => [...row]),
        rowCount: result.rows.length,
        truncated: result.truncated,
      };
    },
  );
}
