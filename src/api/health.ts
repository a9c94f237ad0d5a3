/**
 * Health endpoints for load balancers and Kubernetes probes, outside the Adobe paths and without
 * credentials: `GET /healthz` (the process answers) and `GET /readyz` (every readiness check passes).
 *
 * Guarantees:
 * - `/healthz` touches no dependency: 200 `{"status":"ok"}` whenever the event loop runs;
 * - `/readyz` runs every named check at once, each bounded by `timeoutMs`; all pass → 200
 *   `{"status":"ready","checks":{"<name>":"ok",…}}`, else 503 problem JSON (FLOW-1103-503, `Retry-After`)
 *   whose `report.checks` says `ok` or `failed` per name;
 * - neither body reveals anything else: no version, host, address, error text or timing;
 * - adding a check is one entry in the list `src/sluice.ts` passes (e.g. "queue").
 */
import { AppError } from '../domain/errors.ts';
import { sendProblem } from './error-handler.ts';
import { withTimeout } from './outage-monitor.ts';
import type { App } from './types.ts';

export interface ReadinessCheck {
  /** Shown in the body: a short lower-case word (store, migrations, queue). */
  readonly name: string;
  /** Resolves when ready; rejects (or resolves false) when not. */
  readonly check: () => Promise<unknown>;
}

export const HEALTH_PATHS = ['/healthz', '/readyz'] as const;

export function registerHealthRoutes(
  app: App,
  checks: readonly ReadinessCheck[],
  options: { timeoutMs?: number } = {},
): void {
  const timeoutMs = options.timeoutMs ?? 2000;

  app.get('/healthz', { schema: { hide: true } }, (_request, reply) => {
    void reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', { schema: { hide: true } }, async (request, reply) => {
    const outcomes = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          const result = await withTimeout(check, timeoutMs);
          return [name, result === false ? 'failed' : 'ok'] as const;
        } catch {
          return [name, 'failed'] as const;
        }
      }),
    );
    const report = Object.fromEntries(outcomes);
    void reply.header('cache-control', 'no-store');
    if (outcomes.every(([, outcome]) => outcome === 'ok')) return { status: 'ready', checks: report };
    const failed = outcomes.filter(([, outcome]) => outcome !== 'ok').map(([name]) => name);
    return sendProblem(
      reply,
      new AppError('FLOW-1103-503', `Sluice is not ready: ${failed.join(', ')} failed.`, { checks: report }),
      request.id,
    );
  });
}
