/**
 * One fault rule (src/flows/retry.ts), as a run meets it: a Databricks host that refuses connections is
 * source trouble — retried with backoff, then the run fails within the retry span, never left waiting on
 * the throttle budget; a bug in the copy (a TypeError) fails the run at once with the internal code and
 * its stack in the log, never retried and never reported as a broken source.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../emulators/databricks/index.ts';
import type { ConnectorModule, ReadableConnector } from '../src/connectors/connector.ts';
import { connectorModules } from '../src/connectors/registry.ts';
import { createFlow, databricksConnection, runsOf, runView, tenantOf } from './support/flows.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const SPAN_MS = 400;
let emulator: DatabricksEmulator;
let t: TestSluice;
/** When set, the Databricks connector's read throws this after its first batch: a bug in Sluice. */
let bug: Error | undefined;

/** The real Databricks connector, whose read can be made to fail the way a bug in Sluice would. */
const buggable: ConnectorModule[] = connectorModules.map((module) =>
  module.spec.name !== 'databricks'
    ? module
    : {
        spec: module.spec,
        create: (options) => {
          const real = module.create(options) as ReadableConnector;
          return {
            ...real,
            planRead: real.planRead.bind(real),
            async *read(params, request, ctx) {
              let batches = 0;
              for await (const batch of real.read(params, request, ctx)) {
                yield batch;
                batches += 1;
                if (bug && batches === 1) throw bug;
              }
            },
          } satisfies ReadableConnector;
        },
      },
);

const fixture = {
  ...defaultFixture,
  catalogs: [
    {
      name: 'hive_metastore',
      databases: [
        {
          name: 'shop',
          tables: [
            {
              name: 'orders',
              columns: [
                { name: 'id', type: 'BIGINT' },
                { name: 'updated', type: 'TIMESTAMP' },
              ],
              generate: { count: 500, select: `i::BIGINT, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND` },
            },
          ],
        },
      ],
    },
  ],
};

beforeAll(async () => {
  emulator = await startDatabricksEmulator({ fixture });
  t = await startTestSluice({
    connectors: buggable,
    env: {
      SLUICE_EXTRA_CA_CERTS: emulator.caFile,
      SLUICE_RUN_SAFETY_LAG_MS: '0',
      SLUICE_RUN_READ_BATCH_SIZE: '100',
      SLUICE_RUN_RETRY_ATTEMPTS: '3',
      SLUICE_RUN_RETRY_SPAN_MS: String(SPAN_MS),
      SLUICE_STAGE_TIMEOUT_MS: '1000',
      SLUICE_EXPLORE_TIMEOUT_MS: '2000',
    },
  });
});

afterAll(async () => {
  await t.close();
  await emulator.stop();
});

const flowOnOrders = () =>
  createFlow(t, {
    connection: databricksConnection(emulator),
    table: 'shop.orders',
    columns: ['id', 'updated'],
    deltaColumn: 'updated',
  });

describe('the fault rule', () => {
  it('fails a run on a host that refuses connections within the retry span, without waiting as if throttled', async () => {
    // A second workspace, so stopping it leaves the suite's emulator up: its port then refuses.
    const doomed = await startDatabricksEmulator({ fixture });
    const other = await startTestSluice({
      env: {
        SLUICE_EXTRA_CA_CERTS: doomed.caFile,
        SLUICE_RUN_SAFETY_LAG_MS: '0',
        SLUICE_RUN_RETRY_ATTEMPTS: '3',
        SLUICE_RUN_RETRY_SPAN_MS: String(SPAN_MS),
        SLUICE_STAGE_TIMEOUT_MS: '1000',
      },
    });
    try {
      const { flowId } = await createFlow(other, {
        connection: databricksConnection(doomed),
        table: 'shop.orders',
        columns: ['id', 'updated'],
        deltaColumn: 'updated',
      });
      await doomed.stop();
      await other.sluice.runs.runNow(tenantOf(other), flowId);
      const started = Date.now();
      expect(await other.sluice.worker.runOnce()).toBe(1);
      const elapsed = Date.now() - started;
      const [run] = await runsOf(other, flowId);
      expect(run?.state).toBe('failed');
      expect(run?.errors[0]?.code).toBe('CONNECTOR-1001-500');
      expect(run?.errors[0]?.message).toMatch(/refused|not reachable|ECONNREFUSED/i);
      // Three attempts with backoff adding up to at most the span, plus the attempts themselves.
      expect(elapsed).toBeLessThan(SPAN_MS + 10_000);
      const retries = other.logs.filter((line) => line.includes('retrying in'));
      expect(retries.length).toBeGreaterThanOrEqual(2);
      expect(retries.join('\n')).not.toContain('(throttled)');
    } finally {
      await other.close();
    }
  });

  it('fails a run on a bug at once, with the internal code and the stack in the log', async () => {
    const { flowId, dataSetId } = await flowOnOrders();
    await sleep(10);
    bug = new TypeError("Cannot read properties of undefined (reading 'value')");
    try {
      const run = await t.sluice.runs.runNow(tenantOf(t), flowId);
      expect(await t.sluice.worker.runOnce()).toBe(1);
      const view = await runView(t, run.id);
      expect(view.metrics.statusSummary.status).toBe('failed');
      const [error] = view.metrics.statusSummary.errors as { code: string; message: string }[];
      expect(error?.code).toBe('FLOW-1102-500');
      expect(error?.message).toMatch(/internal error.*TypeError/);
      expect(error?.message).not.toMatch(/source/i);
      // Rows read before the bug are reported; exactly one attempt was made (one batch, aborted).
      expect(view.metrics.recordSummary.inputRecordCount).toBe(100);
      const batches = await t.sluice.datasets.listBatches(tenantOf(t), dataSetId, { start: 0, limit: 10 });
      expect(batches.map((batch) => batch.status)).toEqual(['aborted']);
      const logged = t.logs.filter((line) => line.includes(run.id) && line.includes('"stack"'));
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/stopped on an internal error/);
      expect(logged[0]).toMatch(/"stack":"TypeError: Cannot read properties of undefined/);
      expect(t.logs.filter((line) => line.includes(run.id) && line.includes('retrying'))).toEqual([]);
    } finally {
      bug = undefined;
    }
  });
});
