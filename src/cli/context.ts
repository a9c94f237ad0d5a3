/**
 * What every CLI command gets: the backend it calls (in-process services or a remote server's API),
 * the in-process Sluice for the local-only commands, parsed flags, and where to write.
 */
import { AppError } from '../domain/errors.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { Sluice } from '../sluice.ts';
import type { CliBackend } from './backend.ts';
import { resolveLocalOrg, resolveLocalTenant } from './local-backend.ts';

/** The terminal stdout is, for output redrawn in place (`\r`); absent or not a TTY = plain lines. */
export interface Terminal {
  readonly isTTY: boolean;
  /** Writes as is (no newline added). */
  readonly write: (text: string) => void;
}

export interface CliContext {
  readonly backend: CliBackend;
  /** The in-process Sluice; absent when the command goes to a remote server (see `localSluice`). */
  readonly sluice?: Sluice;
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

/** `--output json`: one JSON document on stdout instead of tables. */
export const jsonOutput = (ctx: CliContext): boolean => ctx.flags['output'] === 'json';

/** Prints `value` as one JSON document under --output json, else runs `render`. */
export function emit(ctx: CliContext, value: unknown, render: () => void): void {
  if (jsonOutput(ctx)) ctx.out(JSON.stringify(value, null, 2));
  else render();
}

/**
 * The in-process Sluice of a local-only command; against a remote server, a CLI-1003-400 that says why
 * the command has no public-API equivalent.
 */
export function localSluice(ctx: CliContext, command: string, why: string): Sluice {
  if (ctx.sluice !== undefined) return ctx.sluice;
  throw new AppError(
    'CLI-1003-400',
    `\`sluice ${command}\` is local-only: ${why}. Run it on the server's machine, without --url or SLUICE_URL (or with --local).`,
  );
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

/** The org of a local command: --org, or the only org there is. */
export const resolveOrg = (ctx: CliContext, sluice: Sluice): Promise<string> =>
  resolveLocalOrg(sluice, stringFlag(ctx, 'org'));

/** The tenant of a local command: --org and --sandbox (default prod). */
export const resolveTenant = (ctx: CliContext, sluice: Sluice): Promise<Tenant> => {
  const org = stringFlag(ctx, 'org');
  const sandbox = stringFlag(ctx, 'sandbox');
  return resolveLocalTenant(sluice, {
    ...(org === undefined ? {} : { org }),
    ...(sandbox === undefined ? {} : { sandbox }),
  });
};
