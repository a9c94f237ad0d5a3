/**
 * `sluice` — the command line. By default commands run in-process against the same data dir and store
 * as the server (the same SLUICE_* settings), so they work whether or not the server is running. With
 * `--url`, `SLUICE_URL` or a profile saved by `sluice login`, the commands that have a public-API
 * equivalent call that server over HTTP instead (remote/); the others say they are local-only.
 * Exit codes: 0 done, 1 refused or failed (unknown id, failed run), 2 wrong usage, 130 watch interrupted.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { createSluice, type Sluice } from '../sluice.ts';
import type { CliBackend } from './backend.ts';
import { UsageError, type CliContext, type Terminal } from './context.ts';
import { createLocalBackend } from './local-backend.ts';
import { createRemoteClient } from './remote/client.ts';
import { createRemoteBackend } from './remote/backend.ts';
import { resolveRemote, type RemoteSettings } from './remote/settings.ts';
import { reportFailure } from './report.ts';
import { LOGIN_USAGE, loginCommand } from './commands/login.ts';
import { datasetsCommand } from './commands/datasets.ts';
import { exploreCommand } from './commands/explore.ts';
import { flowsCommand } from './commands/flows.ts';
import { keysCommand, orgsCommand, sandboxesCommand, tokensCommand } from './commands/identity.ts';
import { lakeCommand } from './commands/lake.ts';
import { queryCommand } from './commands/query.ts';
import { runsCommand } from './commands/runs.ts';
import { statusCommand } from './commands/status.ts';
import { runProcess } from './process.ts';
import { uiLinkCommand } from './commands/ui-link.ts';

export const USAGE = `usage: sluice <command> [args] [--org ORG_ID] [--sandbox NAME] [--output json]
             [--url URL | --profile NAME | --local]

  orgs list | orgs create <name>              organizations (create prints a token and an API key once)
  sandboxes list | sandboxes create <name>    sandboxes of an org
  tokens list | tokens create [--read-only] [--name N] [--expires-in-days D] | tokens revoke <tokenId>
  keys create [--name N]                      a new API key (x-api-key)
  explore <connectionId> [table] [--preview] [--count N] [--filter '<PQL JSON>']
                                              tables, a table's schema, sample rows
  datasets list | datasets show <id or name>  datasets, a dataset's columns and batches
  datasets create <name> --schema <file.json> [--description D]
  query "SELECT … FROM dataset('<name or id>')" [--max-rows N]
                                              read-only SQL over committed batches
  lake verify [--repair-from-source]          hash every committed file; list damaged batches (exit 1);
                                              --repair-from-source re-lands them from their sources
  flows list | flows show <flowId>            flows with their schedule and last run; a flow's last 5 runs
  flows run <flowId> [--wait]                 create the flow's next window now; --wait follows it
  runs list <flowId> [--limit N]              a flow's runs, newest first (default 20)
  runs show <runId>                           a run's window, counters, errors and row error samples
  runs watch <runId> [--interval-ms N]        live progress until the run ends (exit 0 success, 1 failed
                                              or cancelled); Ctrl-C stops watching, not the run
  login --url U --token T --api-key K --org O [--sandbox S] [--profile NAME]
                                              save a remote Sluice's credentials (file mode 0600)
  logout [--profile NAME]                     remove them
  serve                                       the API only (no runs executed here); stops on SIGTERM
  worker [--concurrency N]                    executes runs only (no HTTP port); SIGTERM hands runs back
                                              after SLUICE_WORKER_GRACE_MS
  status [--output json]                      workers alive, queue depth, running runs, oldest waiting run
  ui-link [--read-only]                       a fresh sign-in link for Sluice Studio (expires in 12 h)

In-process (the default), settings come from SLUICE_* environment variables (docs/configuration.md), as
for the server. Remote: --url or SLUICE_URL with SLUICE_ACCESS_TOKEN, SLUICE_API_KEY, SLUICE_ORG_ID
(SLUICE_SANDBOX_NAME, default prod), or a profile from \`sluice login\`; flags > environment > profile.
Remote: flows list|show, runs, explore, datasets, query, sandboxes list. The rest is local-only
(docs/cli.md). --output json prints one JSON document (errors: problem JSON on stderr, exit 1).`;

const COMMANDS: Record<string, (ctx: CliContext) => Promise<number>> = {
  orgs: orgsCommand,
  sandboxes: sandboxesCommand,
  tokens: tokensCommand,
  keys: keysCommand,
  explore: exploreCommand,
  datasets: datasetsCommand,
  query: queryCommand,
  lake: lakeCommand,
  flows: flowsCommand,
  runs: runsCommand,
  status: statusCommand,
  // Long-running roles open Sluice themselves (runCli), with the process logger; not for runCommand.
  serve: () => Promise.reject(new UsageError('usage: sluice serve runs as a process of its own')),
  worker: () => Promise.reject(new UsageError('usage: sluice worker runs as a process of its own')),
  'ui-link': uiLinkCommand,
  // Handled by runCli before any Sluice or server is involved.
  login: () => Promise.reject(new UsageError(LOGIN_USAGE)),
  logout: () => Promise.reject(new UsageError(LOGIN_USAGE)),
};

const ROLES = { serve: { api: true, worker: false }, worker: { api: false, worker: true } } as const;

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly terminal?: Terminal;
  readonly signal?: AbortSignal;
}

type Parsed =
  | { readonly exit: number; readonly message: string; readonly toErr: boolean }
  | {
      readonly command: string;
      readonly run: (ctx: CliContext) => Promise<number>;
      readonly args: string[];
      readonly flags: CliContext['flags'];
    };

function parse(argv: readonly string[]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        org: { type: 'string' },
        sandbox: { type: 'string' },
        name: { type: 'string' },
        title: { type: 'string' },
        'read-only': { type: 'boolean' },
        'expires-in-days': { type: 'string' },
        preview: { type: 'boolean' },
        count: { type: 'string' },
        filter: { type: 'string' },
        schema: { type: 'string' },
        description: { type: 'string' },
        'max-rows': { type: 'string' },
        limit: { type: 'string' },
        wait: { type: 'boolean' },
        'repair-from-source': { type: 'boolean' },
        concurrency: { type: 'string' },
        output: { type: 'string' },
        url: { type: 'string' },
        profile: { type: 'string' },
        local: { type: 'boolean' },
        token: { type: 'string' },
        'api-key': { type: 'string' },
        'interval-ms': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return {
      exit: 2,
      message: `${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
      toErr: true,
    };
  }
  const [command, ...args] = parsed.positionals;
  const run = command === undefined ? undefined : COMMANDS[command];
  if (command !== undefined && run === undefined) {
    return { exit: 2, message: `unknown command '${command}'\n\n${USAGE}`, toErr: true };
  }
  if (parsed.values.help === true || run === undefined) return { exit: 0, message: USAGE, toErr: false };
  const output = parsed.values.output;
  if (output !== undefined && output !== 'json' && output !== 'table')
    return { exit: 2, message: `--output takes json or table, not '${output}'.\n\n${USAGE}`, toErr: true };
  if ((parsed.values.token !== undefined || parsed.values['api-key'] !== undefined) && command !== 'login')
    return {
      exit: 2,
      message: `--token and --api-key are options of \`sluice login\` only; for one command use SLUICE_ACCESS_TOKEN and SLUICE_API_KEY.\n\n${USAGE}`,
      toErr: true,
    };
  return { command: command ?? '', run, args, flags: parsed.values };
}

interface Target {
  readonly backend: CliBackend;
  readonly sluice?: Sluice;
  /** Values never to print: the remote credentials. */
  readonly secrets: readonly string[];
}

async function dispatch(
  target: Target,
  parsed: Extract<Parsed, { run: unknown }>,
  io: CliIo,
): Promise<number> {
  try {
    return await parsed.run({
      backend: target.backend,
      ...(target.sluice === undefined ? {} : { sluice: target.sluice }),
      args: parsed.args,
      flags: parsed.flags,
      out: io.out,
      ...(io.terminal === undefined ? {} : { terminal: io.terminal }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
    });
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message.startsWith('usage:') ? error.message : `${error.message}\n\n${USAGE}`);
      return 2;
    }
    const code = reportFailure(error, {
      json: parsed.flags['output'] === 'json',
      err: io.err,
      secrets: target.secrets,
    });
    if (code !== undefined) return code;
    throw error;
  }
}

const stringOf = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

const localTarget = (sluice: Sluice, flags: CliContext['flags']): Target => {
  const org = stringOf(flags['org']);
  const sandbox = stringOf(flags['sandbox']);
  return {
    sluice,
    backend: createLocalBackend(sluice, {
      ...(org === undefined ? {} : { org }),
      ...(sandbox === undefined ? {} : { sandbox }),
    }),
    secrets: [],
  };
};

const remoteTarget = (settings: RemoteSettings, fetch?: typeof globalThis.fetch): Target => ({
  backend: createRemoteBackend(createRemoteClient(settings, fetch === undefined ? {} : { fetch })),
  secrets: [settings.accessToken, settings.apiKey],
});

/** Runs one command line against an already assembled Sluice (tests; the caller closes it). */
export async function runCommand(sluice: Sluice, argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parse(argv);
  if ('exit' in parsed) {
    (parsed.toErr ? io.err : io.out)(parsed.message);
    return parsed.exit;
  }
  return dispatch(localTarget(sluice, parsed.flags), parsed, io);
}

export async function runCli(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  io: { terminal?: Terminal; signal?: AbortSignal; fetch?: typeof globalThis.fetch } = {},
): Promise<number> {
  const parsed = parse(argv);
  if ('exit' in parsed) {
    (parsed.toErr ? err : out)(parsed.message);
    return parsed.exit;
  }
  const json = parsed.flags['output'] === 'json';
  const { command } = parsed;
  if (command === 'login' || command === 'logout') {
    try {
      return await loginCommand(command, parsed.flags, env, {
        out,
        ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
      });
    } catch (error) {
      if (error instanceof UsageError) {
        err(error.message);
        return 2;
      }
      const secrets = [
        stringOf(parsed.flags['token']),
        env['SLUICE_ACCESS_TOKEN'],
        stringOf(parsed.flags['api-key']),
        env['SLUICE_API_KEY'],
      ].filter((value) => value !== undefined);
      const code = reportFailure(error, { json, err, secrets });
      if (code !== undefined) return code;
      throw error;
    }
  }
  if ((command === 'serve' || command === 'worker') && parsed.flags['url'] !== undefined) {
    err(`usage: sluice ${command} is a process of this machine; it takes no --url.`);
    return 2;
  }
  if (command === 'serve' || command === 'worker') {
    let concurrency: number | undefined;
    const raw = parsed.flags['concurrency'];
    if (raw !== undefined) {
      concurrency = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 64) {
        err(`--concurrency must be an integer from 1 to 64, not '${String(raw)}'.\n\n${USAGE}`);
        return 2;
      }
    }
    return runProcess({
      env,
      roles: ROLES[command],
      ...(concurrency === undefined ? {} : { concurrency }),
      out: (text) => {
        out(text.replace(/\n$/, ''));
      },
      err: (text) => {
        err(text.replace(/\n$/, ''));
      },
    });
  }
  const cliIo: CliIo = {
    out,
    err,
    ...(io.terminal === undefined ? {} : { terminal: io.terminal }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  };
  let remote: RemoteSettings | undefined;
  try {
    remote = await resolveRemote(parsed.flags, env);
  } catch (error) {
    const code = reportFailure(error, { json, err, secrets: [] });
    if (code !== undefined) return code;
    throw error;
  }
  if (remote !== undefined) return dispatch(remoteTarget(remote, io.fetch), parsed, cliIo);
  let sluice;
  try {
    sluice = await createSluice(loadConfig(env));
  } catch (error) {
    err(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
    return 1;
  }
  try {
    return await dispatch(localTarget(sluice, parsed.flags), parsed, cliIo);
  } finally {
    await sluice.close();
  }
}

if (import.meta.main) {
  const code = await runCli(
    process.argv.slice(2),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
    process.env,
    { terminal: { isTTY: process.stdout.isTTY, write: (text) => process.stdout.write(text) } },
  );
  process.exitCode = code;
}
