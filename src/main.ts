/**
 * `npm start`: load config, assemble Sluice, bootstrap identity on an empty store, serve the API.
 * On the first start it prints the four header values a tutorial's curl needs, as shell lines.
 */
import { ConfigError, describeConfig, loadConfig } from './config/config.ts';
import { createLogger } from './logger.ts';
import { createSluice } from './sluice.ts';
import { browserOrigin, mintStudioLink } from './services/studio-link.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.server.logLevel);
  const sluice = await createSluice(config, { logger });
  const bootstrap = await sluice.identity.bootstrap();
  // Files a crash left between a batch's rename and its commit are invisible; remove them now.
  const garbage = await sluice.datasets.collectGarbage();
  if (garbage.removed.length > 0)
    logger.info({ removed: garbage.removed.length }, 'removed uncommitted lake files');
  const app = await sluice.buildApp(logger);

  // First SIGINT/SIGTERM: stop taking requests and runs, hand active runs back, exit. A second one
  // (an impatient Ctrl-C, a supervisor's escalation) exits at once; SIGKILL loses nothing either.
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(130);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    app
      .close()
      .then(() => sluice.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  const address = await app.listen({ host: config.server.host, port: config.server.port });
  if (config.runner.enabled) sluice.runner.start();
  const base = `${address}/data/foundation/flowservice`;
  const lines = [
    '',
    `Sluice is serving the Flow Service API at ${base}`,
    `  OpenAPI: ${address}/openapi.json   docs: ${address}/docs`,
  ];
  const summary = describeConfig(config);
  lines.push(
    `  mode: ${config.mode}   store: ${config.store.kind === 'sqlite' ? `sqlite ${config.store.file}` : 'postgres'}   lake: ${config.lake.dir}`,
    summary.egressDenyPrivate
      ? '  egress: private, loopback and link-local addresses are denied (SLUICE_EGRESS_ALLOW to allow some)'
      : '  egress: private and loopback addresses are ALLOWED (development default; set SLUICE_MODE=production to deny them)',
  );
  lines.push(
    config.runner.enabled
      ? `  runner: on — scheduled flows run here (poll ${config.runner.pollMs} ms, safety lag ${config.runner.safetyLagMs} ms)`
      : '  runner: off (SLUICE_RUNNER_ENABLED=false) — flows are scheduled but not run by this process',
  );
  for (const warning of config.warnings) lines.push(`  warning: ${warning}`);
  // A fresh, expiring sign-in link at each start; the credentials travel only in the URL fragment.
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
  if (sluice.keyCreated)
    lines.push(
      `  A new encryption key was written to ${config.security.encryptionKey.file} (keep it; back it up).`,
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
    );
  } else {
    const orgs = bootstrap.orgs.map((org) => org.id).join(', ');
    lines.push(
      '',
      `Organizations: ${orgs}. Tokens are stored hashed and cannot be shown again;`,
      'create a new one with: npx sluice tokens create',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `Sluice failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  process.exit(1);
});
