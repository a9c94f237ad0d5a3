/** `sluice orgs|sandboxes|tokens|keys`: manage who may call the API. Secrets are printed once, at creation. */
import { formatTable } from '../table.ts';
import { emit, jsonOutput, localSluice, resolveOrg, UsageError, type CliContext } from '../context.ts';

const NO_ROUTE = 'the public API has no route that manages organizations, tokens or keys';

const date = (ms: number | null): string =>
  ms === null ? '' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export async function orgsCommand(ctx: CliContext): Promise<number> {
  const [action, name] = ctx.args;
  if (action === 'list') {
    const orgs = await localSluice(ctx, 'orgs list', NO_ROUTE).identity.listOrgs();
    emit(ctx, orgs, () => {
      ctx.out(
        formatTable(
          ['ORG ID', 'NAME', 'CREATED'],
          orgs.map((org) => [org.id, org.name, date(org.createdAt)]),
        ),
      );
    });
    return 0;
  }
  if (action === 'create' && name) {
    const created = await localSluice(ctx, 'orgs create', NO_ROUTE).identity.createOrg(name);
    emit(
      ctx,
      {
        org: created.org,
        accessToken: created.accessToken,
        apiKey: created.apiKey,
        sandboxName: 'prod',
      },
      () => {
        ctx.out(`Created organization ${created.org.id} with sandbox prod. Shown only once:`);
        ctx.out(`export ACCESS_TOKEN=${created.accessToken}`);
        ctx.out(`export API_KEY=${created.apiKey}`);
        ctx.out(`export ORG_ID=${created.org.id}`);
        ctx.out('export SANDBOX_NAME=prod');
      },
    );
    return 0;
  }
  throw new UsageError('usage: sluice orgs list | sluice orgs create <name>');
}

export async function sandboxesCommand(ctx: CliContext): Promise<number> {
  const [action, name] = ctx.args;
  if (action === 'list') {
    const sandboxes = await ctx.backend.listSandboxes();
    emit(ctx, sandboxes, () => {
      ctx.out(
        formatTable(
          ['NAME', 'TITLE', 'ID', 'CREATED'],
          sandboxes.map((s) => [s.name, s.title, s.id ?? '', date(s.createdAt)]),
        ),
      );
    });
    return 0;
  }
  if (action === 'create' && name) {
    const sluice = localSluice(ctx, 'sandboxes create', 'the public API lists sandboxes but creates none');
    const orgId = await resolveOrg(ctx, sluice);
    const title = typeof ctx.flags['title'] === 'string' ? ctx.flags['title'] : undefined;
    const sandbox = await sluice.identity.createSandbox(orgId, name, title);
    emit(ctx, sandbox, () => {
      ctx.out(`Created sandbox ${sandbox.name} (${sandbox.id}) in ${orgId}.`);
    });
    return 0;
  }
  throw new UsageError(
    'usage: sluice sandboxes list | sluice sandboxes create <name> [--title T] [--org ORG]',
  );
}

export async function tokensCommand(ctx: CliContext): Promise<number> {
  const [action, tokenId] = ctx.args;
  const sluice = localSluice(ctx, `tokens ${action ?? ''}`.trim(), NO_ROUTE);
  if (action === 'revoke' && tokenId) {
    await sluice.identity.revokeToken(tokenId);
    emit(ctx, { revoked: tokenId }, () => {
      ctx.out(`Revoked token ${tokenId}; requests with it now get 401.`);
    });
    return 0;
  }
  const orgId = await resolveOrg(ctx, sluice);
  if (action === 'list') {
    const tokens = await sluice.identity.listTokens(orgId);
    if (jsonOutput(ctx)) {
      ctx.out(JSON.stringify(tokens, null, 2));
      return 0;
    }
    ctx.out(
      formatTable(
        ['TOKEN ID', 'NAME', 'READ-ONLY', 'CREATED', 'EXPIRES', 'REVOKED'],
        tokens.map((token) => [
          token.id,
          token.name,
          token.readOnly ? 'yes' : 'no',
          date(token.createdAt),
          date(token.expiresAt),
          date(token.revokedAt),
        ]),
      ),
    );
    return 0;
  }
  if (action === 'create') {
    const days = ctx.flags['expires-in-days'];
    if (days !== undefined && (typeof days !== 'string' || !/^\d+$/.test(days))) {
      throw new UsageError('--expires-in-days takes a whole number of days.');
    }
    const { token, value } = await sluice.identity.createToken(orgId, {
      name: typeof ctx.flags['name'] === 'string' ? ctx.flags['name'] : 'cli',
      readOnly: ctx.flags['read-only'] === true,
      ...(typeof days === 'string' ? { expiresInDays: Number(days) } : {}),
    });
    emit(ctx, { token, accessToken: value }, () => {
      ctx.out(
        `Created ${token.readOnly ? 'read-only ' : ''}token ${token.id} for ${orgId}. Shown only once:`,
      );
      ctx.out(`export ACCESS_TOKEN=${value}`);
    });
    return 0;
  }
  throw new UsageError(
    'usage: sluice tokens list | sluice tokens create [--name N] [--read-only] [--expires-in-days D] | sluice tokens revoke <tokenId>',
  );
}

export async function keysCommand(ctx: CliContext): Promise<number> {
  const [action] = ctx.args;
  if (action !== 'create') throw new UsageError('usage: sluice keys create [--name N] [--org ORG]');
  const sluice = localSluice(ctx, 'keys create', NO_ROUTE);
  const orgId = await resolveOrg(ctx, sluice);
  const key = await sluice.identity.createApiKey(
    orgId,
    typeof ctx.flags['name'] === 'string' ? ctx.flags['name'] : 'sluice',
  );
  emit(ctx, { id: key.id, apiKey: key.value, orgId }, () => {
    ctx.out(`Created API key ${key.id} for ${orgId}. Shown only once:`);
    ctx.out(`export API_KEY=${key.value}`);
  });
  return 0;
}
