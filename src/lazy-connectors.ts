/**
 * The registry's connectors (src/connectors/registry.ts) as the composition root wires them: each spec is
 * read at start (the catalogue needs it), and each connector with its SDK (@databricks/sql with Arrow and
 * Thrift, @azure/data-tables with the Azure core: ≈ 770 modules, ≈ 450 ms of a start here) is loaded on
 * its first call. A process that serves the API without touching a source never loads them.
 *
 * Guarantees:
 * - A lazy connector has exactly the members of the real one (`members`; test/lazy-connectors.test.ts
 *   compares them and the specs with the registry's), so capability checks (`isReadable`, an optional
 *   `prepareRead`) answer as they would on the real connector.
 * - Each call awaits the one load and then is the real connector's call, unchanged (arguments, result,
 *   errors); `read` delegates its iterator, so an early `return()` reaches the real read.
 */
import type {
  ConnectorModule,
  ConnectorOptions,
  ReadableConnector,
  SourceConnector,
} from './connectors/connector.ts';
import atsSpec from './connectors/azure-table-storage/spec.json' with { type: 'json' };
import databricksSpec from './connectors/databricks/spec.json' with { type: 'json' };
import type { ConnectionSpec } from './domain/specs.ts';

type Member = Exclude<keyof ReadableConnector, 'specId'>;

export interface LazyConnectorEntry {
  readonly spec: ConnectionSpec;
  /** The members the loaded connector has (besides specId). */
  readonly members: readonly Member[];
  readonly load: () => Promise<ConnectorModule>;
}

const READ_MEMBERS = [
  'test',
  'listTables',
  'describeTable',
  'preview',
  'planRead',
  'read',
  'splitRead',
] as const;

/** In the registry's order. */
export const LAZY_CONNECTORS: readonly LazyConnectorEntry[] = [
  {
    spec: atsSpec,
    members: READ_MEMBERS,
    load: async () => (await import('./connectors/azure-table-storage/index.ts')).azureTableStorage,
  },
  {
    spec: databricksSpec,
    members: [...READ_MEMBERS, 'prepareRead'],
    load: async () => (await import('./connectors/databricks/index.ts')).databricks,
  },
];

type AnyCall = (...args: unknown[]) => unknown;

function lazyConnector(entry: LazyConnectorEntry, options: ConnectorOptions): SourceConnector {
  let loading: Promise<SourceConnector> | undefined;
  const real = (): Promise<SourceConnector> => (loading ??= entry.load().then((m) => m.create(options)));
  const member = async (name: Member): Promise<AnyCall> => {
    const connector = await real();
    const fn = (connector as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function') throw new Error(`connector ${entry.spec.id} has no ${name}`);
    return (fn as AnyCall).bind(connector);
  };
  const connector: Record<string, unknown> = { specId: entry.spec.id };
  for (const name of entry.members) {
    connector[name] =
      name === 'read'
        ? (...args: unknown[]): AsyncIterable<unknown> => ({
            async *[Symbol.asyncIterator]() {
              yield* (await member('read'))(...args) as AsyncIterable<unknown>;
            },
          })
        : async (...args: unknown[]): Promise<unknown> => (await member(name))(...args);
  }
  return connector as unknown as SourceConnector;
}

/** The registry's modules, each connector loaded on first use. */
export function lazyConnectorModules(
  entries: readonly LazyConnectorEntry[] = LAZY_CONNECTORS,
): ConnectorModule[] {
  return entries.map((entry) => ({
    spec: entry.spec,
    create: (options: ConnectorOptions) => lazyConnector(entry, options),
  }));
}
