/**
 * The one place where connectors are called: it picks the connector of a spec, builds the call context
 * (timeouts, egress policy, trusted CAs, an abort signal) and bounds every call in time, so a dead
 * source can never hang a request.
 */
import { AppError } from '../domain/errors.ts';
import type { ConnectorContext, EgressPolicy, SourceConnector } from './connector.ts';

export interface ConnectorRuntimeOptions {
  readonly connectors: readonly SourceConnector[];
  readonly egress: EgressPolicy;
  readonly extraCaCerts: readonly string[];
  readonly timeouts: { readonly stageMs: number; readonly exploreMs: number };
}

export interface ConnectorRuntime {
  has(specId: string): boolean;
  connector(specId: string): SourceConnector;
  /** Run `call` with a context whose signal aborts after `budgetMs` (default: the explore timeout). */
  run<T>(call: (ctx: ConnectorContext) => Promise<T>, budgetMs?: number): Promise<T>;
  readonly timeouts: ConnectorRuntimeOptions['timeouts'];
  /** A context for long work bounded by the caller's signal (flow runs), not by a fixed timeout. */
  context(signal: AbortSignal): ConnectorContext;
}

export function createConnectorRuntime(options: ConnectorRuntimeOptions): ConnectorRuntime {
  const bySpec = new Map(options.connectors.map((connector) => [connector.specId, connector]));
  return {
    timeouts: options.timeouts,
    has: (specId) => bySpec.has(specId),
    context: (signal) => ({
      signal,
      timeouts: options.timeouts,
      egress: options.egress,
      extraCaCerts: options.extraCaCerts,
    }),
    connector(specId) {
      const connector = bySpec.get(specId);
      if (!connector) {
        throw new AppError(
          'CONNECTOR-1336-400',
          `No connector is installed for the connection spec '${specId}'.`,
        );
      }
      return connector;
    },
    async run(call, budgetMs = options.timeouts.exploreMs) {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(
            new AppError(
              'CONNECTOR-1504-504',
              `The source did not answer within ${Math.round(budgetMs / 1000)} s; check that it is reachable and try again.`,
              { retryable: true },
            ),
          );
        }, budgetMs);
      });
      const ctx: ConnectorContext = {
        signal: controller.signal,
        timeouts: options.timeouts,
        egress: options.egress,
        extraCaCerts: options.extraCaCerts,
      };
      try {
        return await Promise.race([call(ctx), deadline]);
      } finally {
        clearTimeout(timer);
        controller.abort();
      }
    },
  };
}
