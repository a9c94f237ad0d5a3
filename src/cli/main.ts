/**
 * `sluice` — the command line. Commands run in-process against the same data dir and store as the
 * server (the same SLUICE_* settings), so they work whether or not the server is running.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.ts';
import { isAppError } from '../domain/errors.ts';
import { createSluice } from '../sluice.ts';
import type { CliContext } from './context.ts';
import { exploreCommand } from './commands/explore.ts';
import { keysCommand, orgsCommand, sandboxesCommand, tokensCommand } from './commands/identity.ts';

export const USAGE = `usage: sluice <command> [args] [--org ORG_ID] [--sandbox NAME]

  orgs list | orgs create <name>              organizations (create prints a token and an API key once)
  sandboxes list | sandboxes create <name>    sandboxes of an org
  tokens list | tokens create [--read-only] [--name N] [--expires-in-days D] | tokens revoke <tokenId>
  keys create [--name N]                      a new API key (x-api-key)
  explore <connectionId> [table] [--preview] [--count N] [--filter '<PQL JSON>']
                                              tables, a table's schema, sample rows

Settings come from SLUICE_* environment variables (docs/configuration.md), as for the server.`;

const COMMANDS: Record<string, (ctx: CliContext) => Promise<number>> = {
  orgs: orgsCommand,
  sandboxes: sandboxesCommand,
  tokens: tokensCommand,
  keys: keysCommand,
  explore: exploreCommand,
};

export async function runCli(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
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
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    err(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...args] = parsed.positionals;
  const run = command === undefined ? undefined : COMMANDS[command];
  if (parsed.values.help === true || run === undefined) {
    (run === undefined && command !== undefined ? err : out)(
      command !== undefined && run === undefined ? `unknown command '${command}'\n\n${USAGE}` : USAGE,
    );
    return run === undefined && command !== undefined ? 2 : 0;
  }
  let sluice;
  try {
    sluice = await createSluice(loadConfig(env));
  } catch (error) {
    err(error instanceof ConfigError || error instanceof Error ? error.message : String(error));
    return 1;
  }
  try {
    return await run({ sluice, args, flags: parsed.values, out });
  } catch (error) {
    if (isAppError(error)) {
      err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await sluice.close();
  }
}

if (import.meta.main) {
  const code = await runCli(
    process.argv.slice(2),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
  process.exitCode = code;
}
