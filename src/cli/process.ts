/**
 * The long-running process roles, one function for all three:
 *
 * - `npm start`: API and worker in one process (the embedded default; a newcomer's two commands);
 * - `sluice serve`: the API only — no runs are executed (any number of these behind a load balancer);
 * - `sluice worker [--concurrency N]`: runs only — no HTTP port.
 *
 * Every role opens the store and migrates it, collects lake garbage a crash left (the API role, which
 * a deployment starts first), and stops gracefully on SIGINT/SIGTERM: the API stops taking requests,
 * the worker stops claiming runs and gives active ones its grace period to finish before it hands them
 * back; a second signal exits at once. SIGKILL loses nothing: a claim that stops heartbeating is taken
 * over by another worker.
 */
import { setFlagsFromString } from 'node:v8';
import {
  ConfigError,
  describeConfig,
  describeMode,
  isLoopbackHost,
  loadConfig,
  type Config,
} from '../config/config.ts';
import { createLogger } from '../logger.ts';
import { browserOrigin, mintStudioLink } from '../services/studio-link.ts';
import { createSluice, type Sluice } from '../sluice.ts';

export interface Roles {
  readonly api: boolean;
  /** Whether this process executes runs; undefined = as SLUICE_RUNNER_ENABLED says (npm start). */
  readonly worker?: boolean;
}

export interface ProcessOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly roles: Roles;
  /** Overrides SLUICE_WORKER_CONCURRENCY (`sluice worker --concurrency N`). */
  readonly concurrency?: number;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

/** Starts the roles and resolves with the exit code once a signal has stopped them. */
export async function runProcess(options: ProcessOptions): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(
      options.concurrency === undefined
        ? options.env
        : { ...options.env, SLUICE_WORKER_CONCURRENCY: String(options.concurrency) },
    );
  } catch (error) {
    options.err(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    return 1;
  }
  const logger = createLogger(config.server.logLevel);
  let sluice: Sluice;
  try {
    sluice = await createSluice(config, { logger });
  } catch (error) {
    options.err(`Sluice failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }

  const lines: string[] = [''];
  let close = async (): Promise<void> => {
    await sluice.close();
  };
  if (options.roles.api) {
    const bootstrap = await sluice.identity.bootstrap();
    // Files a crash left between a batch's rename and its commit are invisible; remove them now.
    const garbage = await sluice.datasets.collectGarbage();
    if (garbage.removed.length > 0)
      logger.info({ removed: garbage.removed.length }, 'removed uncommitted lake files');
    const app = await sluice.buildApp(logger);
    close = async () => {
      await app.close();
      await sluice.close();
    };
    const address = await app.listen({ host: config.server.host, port: config.server.port });
    lines.push(...apiBanner(config, address, bootstrap));
    // A fresh, expiring sign-in link for Sluice Studio at each start; the credentials travel only in
    // the URL fragment, which never reaches the server or a log.
    const studioOrg = bootstrap.created ? bootstrap.credentials.org.id : bootstrap.orgs[0]?.id;
    if (studioOrg !== undefined) {
      const link = await mintStudioLink(sluice.identity, {
        origin: browserOrigin(config.server.host, Number(new URL(address).port)),
        orgId: studioOrg,
        sandboxName: 'prod',
      });
      lines.push(
        '',
        `Sluice Studio: open ${link.url}`,
        `  (a sign-in link for this start; it expires at ${new Date(link.expiresAt).toISOString()}. Another: npx sluice ui-link [--read-only])`,
      );
    }
  }
  if (options.roles.worker ?? config.runner.enabled) {
    // V8 reads this flag at every full collection, so setting it now bounds the heap of the runs to come.
    if (config.runner.heapGrowthPercent > 0)
      setFlagsFromString(`--heap-growing-percent=${String(config.runner.heapGrowthPercent)}`);
    sluice.worker.start();
    lines.push(workerBanner(config, sluice));
  } else {
    lines.push(
      '  worker: none in this process — runs are executed by `sluice worker` processes on the same store',
    );
  }
  for (const warning of config.warnings) lines.push(`  warning: ${warning}`);
  if (sluice.keyCreated)
    lines.push(
      `  A new encryption key was written to ${config.security.encryptionKey.file} (keep it; back it up).`,
    );
  options.out(`${lines.join('\n')}\n\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting without waiting');
        resolve(130);
        return;
      }
      stopping = true;
      logger.info({ signal, graceMs: config.queue.graceMs }, 'shutting down');
      close().then(
        () => {
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
}

type Bootstrap = Awaited<ReturnType<Sluice['identity']['bootstrap']>>;

function apiBanner(config: Config, address: string, bootstrap: Bootstrap): string[] {
  const base = `${address}/data/foundation/flowservice`;
  const summary = describeConfig(config);
  const lines = [
    `Sluice is serving the Flow Service API at ${base}`,
    `  OpenAPI: ${address}/openapi.json   docs: ${address}/docs`,
    `  ${describeMode(config)}`,
    `  store: ${config.store.kind === 'sqlite' ? `sqlite ${config.store.file}` : 'postgres'}   lake: ${config.lake.dir}`,
    summary.egressDenyPrivate
      ? '  egress: private, loopback and link-local addresses are denied (SLUICE_EGRESS_ALLOW to allow some)'
      : '  egress: private and loopback addresses are ALLOWED (development default; set SLUICE_MODE=production to deny them)',
  ];
  if (config.mode === 'development' && !isLoopbackHost(config.server.host))
    lines.push(
      `  warning: development mode on ${config.server.host}: any client with a write token can reach private and loopback addresses through connection tests`,
    );
  if (bootstrap.created) {
    const { credentials } = bootstrap;
    lines.push(
      '',
      'A default organization was created. Paste these lines into your shell to call the API (the token is shown only once):',
      '',
      `export ACCESS_TOKEN=${credentials.accessToken}`,
      `export API_KEY=${credentials.apiKey}`,
      `export ORG_ID=${credentials.org.id}`,
      `export IMS_ORG=${credentials.org.id}`,
      `export SANDBOX_NAME=${credentials.sandbox.name}`,
      '',
      `Try: curl -s ${base}/connectionSpecs -H "Authorization: Bearer $ACCESS_TOKEN" -H "x-api-key: $API_KEY" -H "x-gw-ims-org-id: $ORG_ID" -H "x-sandbox-name: $SANDBOX_NAME"`,
      '',
    );
  } else {
    const orgs = bootstrap.orgs.map((org) => org.id).join(', ');
    lines.push(
      `  Organizations: ${orgs}. Tokens are stored hashed and cannot be shown again;`,
      '  create a new one with: npx sluice tokens create',
    );
  }
  return lines;
}

function workerBanner(config: Config, sluice: Sluice): string {
  return `  worker: ${sluice.worker.id} — ${config.queue.concurrency} run(s) at once on the ${sluice.queue.engine} queue (poll ${config.runner.pollMs} ms, safety lag ${config.runner.safetyLagMs} ms, grace ${config.queue.graceMs} ms on stop)`;
}
