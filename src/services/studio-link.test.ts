/** Sign-in links carry fresh, expiring credentials in the fragment only, and they authenticate. */
import { describe, expect, it } from 'vitest';
import { startTestSluice } from '../../test/support/sluice.ts';
import { browserOrigin, mintStudioLink } from './studio-link.ts';

describe('studio links', () => {
  it('puts a fresh expiring token, an API key, the org and sandbox in the fragment', async () => {
    const t = await startTestSluice();
    try {
      const orgId = t.credentials.org.id;
      const link = await mintStudioLink(t.sluice.identity, {
        origin: 'http://127.0.0.1:8080',
        orgId,
        sandboxName: 'prod',
      });
      const url = new URL(link.url);
      expect(url.search).toBe('');
      expect(url.pathname).toBe('/');
      const fragment = new URLSearchParams(url.hash.slice(1));
      expect(fragment.get('org')).toBe(orgId);
      expect(fragment.get('sandbox')).toBe('prod');
      const token = fragment.get('token') ?? '';
      const apiKey = fragment.get('apiKey') ?? '';
      expect(token).not.toBe(t.credentials.accessToken);
      const actor = await t.sluice.identity.authenticate(
        { authorization: `Bearer ${token}`, apiKey, orgId, sandboxName: 'prod' },
        { defaultSandbox: false },
      );
      expect(actor.readOnly).toBe(false);
      expect(Math.abs((actor.expiresAt ?? 0) - (Date.now() + 12 * 3_600_000))).toBeLessThan(60_000);

      const viewer = await mintStudioLink(t.sluice.identity, {
        origin: 'http://127.0.0.1:8080',
        orgId,
        sandboxName: 'prod',
        readOnly: true,
      });
      const params = new URLSearchParams(new URL(viewer.url).hash.slice(1));
      const response = await t.app.inject({
        method: 'POST',
        url: '/data/foundation/flowservice/connections',
        headers: {
          authorization: `Bearer ${params.get('token') ?? ''}`,
          'x-api-key': params.get('apiKey') ?? '',
          'x-gw-ims-org-id': orgId,
          'x-sandbox-name': 'prod',
          'content-type': 'application/json',
        },
        payload: '{}',
      });
      expect(response.statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });

  it('names an address a local browser reaches', () => {
    expect(browserOrigin('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080');
    expect(browserOrigin('127.0.0.1', 9)).toBe('http://127.0.0.1:9');
    expect(browserOrigin('::1', 9)).toBe('http://[::1]:9');
  });
});
