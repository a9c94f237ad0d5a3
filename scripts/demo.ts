/**
 * `npm run demo` — the tutorials end to end on a laptop, in about a minute: starts Azurite and the
 * Databricks emulator with sample data, starts Sluice (`node src/main.ts`) in a temp data dir, walks
 * through the Flow Service calls of a dataflow for each source over HTTP, waits for the first runs,
 * queries the landed rows with the CLI, adds rows at both sources, triggers the next window and shows
 * that it landed exactly the new rows. Everything it started is stopped on success, error and Ctrl-C.
 * See docs/demo.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  freePort,
  killRunningCommands,
  runNode,
  say,
  startSluiceServer,
  type SluiceServer,
} from './demo-support.ts';
import { startDemoSources, type DemoSources } from './demo-sources.ts';
import { createDataflow, runsOf, showRun, waitForRuns, type Dataflow } from './demo-steps.ts';

// Azurite and the CLI are started by relative paths from the repository root, as `npm run demo` does.
process.chdir(join(import.meta.dirname, '..'));

const SAFETY_LAG_MS = 2_000;
/** The `sluice` CLI, run as a separate process on the same data dir as the server. */
const CLI = 'bin/sluice.js';
const started = Date.now();
const dataDir = mkdtempSync(join(tmpdir(), 'sluice-demo-'));
let sources: DemoSources | undefined;
let server: SluiceServer | undefined;
let stage = 'starting';
let stopped: Promise<void> | undefined;

// A function, not the variable itself: signal handlers set it while main() is awaiting.
const isStopping = (): boolean => stopped !== undefined;

/** Stops everything once; every caller waits for the same shutdown. */
function shutdown(): Promise<void> {
  stopped ??= (async () => {
    killRunningCommands();
    await server?.stop().catch(() => undefined);
    await sources?.stop().catch(() => undefined);
  })();
  return stopped;
}

let interruptedBy: string | undefined;
const wasInterrupted = (): boolean => interruptedBy !== undefined;

function interrupted(reason: string): void {
  if (interruptedBy !== undefined) return;
  interruptedBy = reason;
  console.error(`\n${reason} during "${stage}": stopping Sluice, the Databricks emulator and Azurite…`);
  void shutdown().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    console.error('Stopped everything.');
    process.exit(130);
  });
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.once(signal, () => {
    interrupted(signal);
  });
// A closed stdout (e.g. `npm run demo | head`) must not leave the servers running.
process.stdout.on('error', () => {
  interrupted('stdout closed');
});

async function main(): Promise<void> {
  stage = 'starting the sources';
  say.step('1. Sources: Azurite (Azure Table Storage) and the Databricks emulator, with sample data');
  sources = await startDemoSources();
  say.line(
    `Databricks emulator ${sources.emulator.url}  table hive_metastore.demo.customers (${sources.initialCustomers} rows)`,
  );
  say.line(`Azurite ${new URL(sources.events.url).origin}  table events (${sources.initialEvents} entities)`);

  stage = 'starting Sluice';
  say.step('2. Sluice: node src/main.ts (embedded store and lake in a temp dir)');
  const env = {
    SLUICE_DATA_DIR: dataDir,
    SLUICE_PORT: String(await freePort()),
    SLUICE_EXTRA_CA_CERTS: sources.emulator.caFile,
    SLUICE_RUN_SAFETY_LAG_MS: String(SAFETY_LAG_MS),
    SLUICE_RUNNER_POLL_MS: '500',
  };
  server = await startSluiceServer(env, join(dataDir, 'sluice.log'));
  say.line(`serving ${server.base}`);
  say.note(`credentials read from its first-start output; its log: ${server.logFile}`);

  stage = 'creating the dataflows';
  const { dbx, ats } = await createDataflow(server, sources, SAFETY_LAG_MS);

  stage = 'waiting for the first runs';
  say.step("9. The first runs (scheduled at the flows' start time; backfill reads each whole table)");
  for (const flow of [dbx, ats]) showRun(flow, (await waitForRuns(server, flow, 1))[0]);

  stage = 'querying the lake';
  say.step('10. The landed rows: sluice query');
  await query(
    env,
    `SELECT id, name, country, balance, vip, updated_at FROM dataset('${dbx.datasetName}') ORDER BY id`,
  );
  await query(
    env,
    `SELECT eventId, kind, customerId, quantity, amount, mobile FROM dataset('${ats.datasetName}') ORDER BY eventId`,
  );

  stage = 'adding rows at both sources';
  say.step('11. New rows at both sources');
  const before = { dbx: await count(env, dbx), ats: await count(env, ats) };
  const newCustomers = [sources.initialCustomers + 1, sources.initialCustomers + 2];
  const newEvents = [sources.initialEvents + 1, sources.initialEvents + 2, sources.initialEvents + 3];
  await sources.addCustomers(newCustomers);
  say.line(`Databricks: INSERT INTO demo.customers … ids ${newCustomers.join(', ')} (updated_at = now)`);
  await sources.addEvents(newEvents);
  say.line(`Azure Table Storage: ${newEvents.length} new entities in events (Timestamp = now)`);
  say.note(
    `waiting ${SAFETY_LAG_MS / 1000} s: a window ends at now minus the safety lag (SLUICE_RUN_SAFETY_LAG_MS)`,
  );
  await sleep(SAFETY_LAG_MS + 500);

  stage = 'running the next window';
  say.step('12. The next window, on demand: sluice flows run <flowId>');
  for (const flow of [dbx, ats]) {
    say.line(`$ sluice flows run ${flow.id}`);
    for (const line of (await runNode(CLI, ['flows', 'run', flow.id], env)).trimEnd().split('\n'))
      say.line(`  ${line}`);
  }
  for (const flow of [dbx, ats]) {
    const runs = await waitForRuns(server, flow, 2);
    showRun(flow, runs.find((run) => run.id !== flow.firstRunId) ?? runs[0]);
  }

  stage = 'checking the new rows';
  say.step('13. Exactly the new rows landed');
  const after = { dbx: await count(env, dbx), ats: await count(env, ats) };
  say.line(
    `customers: ${before.dbx} → ${after.dbx} rows (+${after.dbx - before.dbx}; ${newCustomers.length} added at the source)`,
  );
  say.line(
    `events:    ${before.ats} → ${after.ats} rows (+${after.ats - before.ats}; ${newEvents.length} added at the source)`,
  );
  await query(
    env,
    `SELECT id, name, email, updated_at FROM dataset('${dbx.datasetName}') WHERE id > ${sources.initialCustomers} ORDER BY id`,
  );
  await query(
    env,
    `SELECT RowKey, kind, amount, "Timestamp" FROM dataset('${ats.datasetName}') WHERE RowKey > 'evt-${String(sources.initialEvents).padStart(4, '0')}' ORDER BY RowKey`,
  );
  const exact = after.dbx - before.dbx === newCustomers.length && after.ats - before.ats === newEvents.length;
  if (!exact) throw new Error('the second runs did not land exactly the new rows (see the counts above)');
  say.note(
    `runs of each flow: ${(await runsOf(server, dbx)).length} and ${(await runsOf(server, ats)).length}`,
  );
}

async function query(env: Record<string, string>, sql: string): Promise<string> {
  say.line(`$ sluice query "${sql}"`);
  const out = await runNode(CLI, ['query', sql], env);
  for (const line of out.trimEnd().split('\n')) say.line(`  ${line}`);
  return out;
}

async function count(env: Record<string, string>, flow: Dataflow): Promise<number> {
  const out = await runNode(CLI, ['query', `SELECT count(*) AS n FROM dataset('${flow.datasetName}')`], env);
  const match = /^\D*(\d+)\D*$/m.exec(out.split('\n').slice(2).join('\n'));
  if (match?.[1] === undefined) throw new Error(`could not read a count from: ${out}`);
  return Number(match[1]);
}

try {
  await main();
  if (wasInterrupted()) throw new Error('interrupted');
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Stopping everything…`);
  await shutdown();
  rmSync(dataDir, { recursive: true, force: true });
  console.log('Stopped Sluice, the Databricks emulator and Azurite; removed the temp data dir.');
} catch (error) {
  if (!isStopping()) {
    console.error(
      `\nThe demo failed while ${stage}: ${error instanceof Error ? error.message : String(error)}`,
    );
    if (server !== undefined) console.error(`Sluice's log is kept in ${server.logFile}`);
    await shutdown();
    console.error('Stopped everything it had started.');
    process.exitCode = 1;
  }
}
// Every child has exited by now; pending grace-period timers must not hold the process open. After a
// signal, the handler exits once its own cleanup is done.
if (!wasInterrupted()) process.exit();
