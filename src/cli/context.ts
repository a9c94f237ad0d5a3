/** What every CLI command gets: the assembled Sluice, parsed flags, and where to write. */
import { AppError } from '../domain/errors.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { Sluice } from '../sluice.ts';

/** The terminal stdout is, for output redrawn in place (`\r`); absent or not a TTY = plain lines. */
export interface Terminal {
  readonly isTTY: boolean;
  /** Writes as is (no newline added). */
  readonly write: (text: string) => void;
}

export interface CliContext {
  readonly sluice: Sluice;
  readonly args: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly out: (line: string) => void;
  readonly terminal?: Terminal;
  /** Ends a wait (`runs watch`) early, as Ctrl-C does; without it the wait listens for SIGINT itself. */
  readonly signal?: AbortSignal;
}

/** A command was called wrongly (missing argument, bad option value): the CLI prints it and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A flag's value as a positive integer, `fallback` when absent; a usage error otherwise. */
export function positiveIntFlag(ctx: CliContext, name: string, fallback: number): number {
  const raw = ctx.flags[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`--${name} must be a positive integer, not '${String(raw)}'.`);
  return value;
}

/** A string flag's value, undefined when absent. */
export const stringFlag = (ctx: CliContext, name: string): string | undefined => {
  const value = ctx.flags[name];
  return typeof value === 'string' ? value : undefined;
};

/** The org of a command: --org, or the only org there is. */
export async function resolveOrg(ctx: CliContext): Promise<string> {
  const flag = ctx.flags['org'];
  if (typeof flag === 'string') return flag;
  const orgs = await ctx.sluice.identity.listOrgs();
  if (orgs.length === 1 && orgs[0]) return orgs[0].id;
  if (orgs.length === 0)
    throw new AppError(
      'FLOW-1439-404',
      'There is no organization yet; start the server once or run `sluice orgs create <name>`.',
    );
  throw new AppError(
    'FLOW-1407-400',
    `There are ${orgs.length} organizations; choose one with --org (see \`sluice orgs list\`).`,
  );
}

/** The tenant of a command: --org and --sandbox (default prod). */
export async function resolveTenant(ctx: CliContext): Promise<Tenant> {
  const orgId = await resolveOrg(ctx);
  const name = typeof ctx.flags['sandbox'] === 'string' ? ctx.flags['sandbox'] : 'prod';
  const sandbox = (await ctx.sluice.identity.listSandboxes(orgId)).find(
    (candidate) => candidate.name === name,
  );
  if (!sandbox) throw new AppError('FLOW-2100-404', `The sandbox '${name}' does not exist in ${orgId}.`);
  return { orgId, sandboxId: sandbox.id, sandboxName: sandbox.name };
}
