/** What every CLI command gets: the assembled Sluice, parsed flags, and where to write. */
import { AppError } from '../domain/errors.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { Sluice } from '../sluice.ts';

export interface CliContext {
  readonly sluice: Sluice;
  readonly args: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  out(line: string): void;
}

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
