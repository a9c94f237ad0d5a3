/**
 * The composition root wires the registry's connectors lazily (src/lazy-connectors.ts): the same specs in
 * the same order, connectors with exactly the real ones' members, and calls that reach the real connector.
 */
import { describe, expect, it } from 'vitest';
import { isReadable, type ReadableConnector } from '../src/connectors/connector.ts';
import { connectorModules } from '../src/connectors/registry.ts';
import { LAZY_CONNECTORS, lazyConnectorModules } from '../src/lazy-connectors.ts';

const options = { schemaSampleSize: 10 };

describe('lazy connectors', () => {
  it('have the registry specs, in its order', () => {
    expect(lazyConnectorModules().map((module) => module.spec)).toEqual(
      connectorModules.map((module) => module.spec),
    );
  });

  it('have exactly the members of the real connectors (capabilities answer alike)', async () => {
    for (const [index, module] of connectorModules.entries()) {
      const real = module.create(options);
      const lazy = lazyConnectorModules()[index]?.create(options);
      expect(lazy).toBeDefined();
      expect(Object.keys(lazy ?? {}).sort()).toEqual(Object.keys(real).sort());
      expect(lazy?.specId).toBe(real.specId);
      expect(isReadable(lazy!)).toBe(isReadable(real));
      expect(await LAZY_CONNECTORS[index]?.load()).toBe(module);
    }
  });

  it('pass every call, its result, its error and an early end of a read to the real connector', async () => {
    const calls: unknown[][] = [];
    let finished = false;
    const fake: ReadableConnector = {
      specId: 'fake',
      test: (...args) => {
        calls.push(['test', ...args]);
        return Promise.resolve({ ok: true, stages: [] });
      },
      listTables: () => Promise.reject(new Error('listTables failed')),
      describeTable: () => Promise.resolve([]),
      preview: () => Promise.resolve({ columns: [], rows: [] }),
      planRead: () => Promise.resolve({ columns: [], keyColumns: [] }),
      async *read() {
        await Promise.resolve();
        try {
          yield { rows: [{ a: 1 }], bytes: 1 };
          yield { rows: [{ a: 2 }], bytes: 1 };
        } finally {
          finished = true;
        }
      },
    };
    let loads = 0;
    const [module] = lazyConnectorModules([
      {
        spec: connectorModules[0]!.spec,
        members: ['test', 'listTables', 'describeTable', 'preview', 'planRead', 'read'],
        load: () => {
          loads += 1;
          return Promise.resolve({ spec: connectorModules[0]!.spec, create: () => fake });
        },
      },
    ]);
    const lazy = module!.create(options) as ReadableConnector;
    expect(loads).toBe(0);
    const ctx = {} as never;
    expect(await lazy.test({ a: 1 }, ctx)).toEqual({ ok: true, stages: [] });
    expect(calls).toEqual([['test', { a: 1 }, ctx]]);
    await expect(lazy.listTables({}, ctx)).rejects.toThrow('listTables failed');
    for await (const batch of lazy.read({}, { table: 't', columns: [], batchSize: 1 }, ctx)) {
      expect(batch.rows).toEqual([{ a: 1 }]);
      break;
    }
    expect(finished).toBe(true);
    expect(loads).toBe(1);
  });
});
