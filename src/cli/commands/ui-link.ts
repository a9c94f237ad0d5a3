/**
 * `sluice ui-link [--read-only] [--sandbox NAME]`: a fresh sign-in link for Sluice Studio (a new access
 * token that expires in 12 h and a new API key, in the URL fragment; services/studio-link.ts says why).
 */
import { browserOrigin, mintStudioLink } from '../../services/studio-link.ts';
import { emit, localSluice, resolveTenant, type CliContext } from '../context.ts';

export async function uiLinkCommand(ctx: CliContext): Promise<number> {
  const sluice = localSluice(ctx, 'ui-link', 'it mints an access token, and no API route creates tokens');
  const tenant = await resolveTenant(ctx, sluice);
  const { host, port } = sluice.config.server;
  const link = await mintStudioLink(sluice.identity, {
    origin: browserOrigin(host, port),
    orgId: tenant.orgId,
    sandboxName: tenant.sandboxName,
    readOnly: ctx.flags['read-only'] === true,
  });
  emit(ctx, link, () => {
    ctx.out(link.url);
    ctx.out(
      `${link.readOnly ? 'Read-only link' : 'Link'} for ${tenant.orgId} / ${tenant.sandboxName}; it expires at ${new Date(link.expiresAt).toISOString()} (revoke sooner: sluice tokens revoke ${link.tokenId}).`,
    );
  });
  return 0;
}
