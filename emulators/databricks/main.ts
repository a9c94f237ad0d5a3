/**
 * CLI: `node emulators/databricks/main.ts [--port 8443] [--host 127.0.0.1] [--fixture file.json] [--dir d]
 *   [--result-format column|arrow]` (npm run emulator:databricks). Prints how to connect, then serves until SIGINT/SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startDatabricksEmulator, type WorkspaceFixture } from './index.ts';

const usage =
  'usage: node emulators/databricks/main.ts [--port 8443] [--host 127.0.0.1] [--fixture file.json] [--dir d] [--result-format column|arrow]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8443' },
      host: { type: 'string', default: '127.0.0.1' },
      fixture: { type: 'string' },
      dir: { type: 'string' },
      'result-format': { type: 'string', default: 'arrow' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(usage);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535. ${usage}`);
  const resultFormat = values['result-format'];
  if (resultFormat !== 'column' && resultFormat !== 'arrow') {
    throw new Error(`--result-format must be column or arrow. ${usage}`);
  }
  const fixture =
    values.fixture === undefined
      ? undefined
      : (JSON.parse(readFileSync(values.fixture, 'utf8')) as WorkspaceFixture);
  const emulator = await startDatabricksEmulator({
    port,
    host: values.host,
    resultFormat,
    ...(fixture === undefined ? {} : { fixture }),
    ...(values.dir === undefined ? {} : { dir: values.dir }),
  });
  console.log(
    [
      'Databricks workspace emulator listening',
      `  url        ${emulator.url}`,
      `  token      ${emulator.token}`,
      `  cluster id ${emulator.clusterId}`,
      `  http path  ${emulator.httpPath()}`,
      `  CA file    ${emulator.caFile}`,
      '',
      `Trust the CA: NODE_EXTRA_CA_CERTS=${emulator.caFile}, the driver option customCaCert, or curl --cacert.`,
      `  curl --cacert ${emulator.caFile} -H "Authorization: Bearer ${emulator.token}" "${emulator.url}/api/2.0/clusters/get?cluster_id=${emulator.clusterId}"`,
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => {
    shutdown('SIGINT');
  });
  process.on('SIGTERM', () => {
    shutdown('SIGTERM');
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
