import { describe, expect, it } from 'vitest';
import { withAuthenticationCache, type AuthenticatedActor, type IdentityService } from './identity.ts';

const actor: AuthenticatedActor = {
  orgId: 'O@AdobeOrg',
  sandboxId: 's',
  sandboxName: 'prod',
  userId: 'U@AdobeID',
  clientId: 'c',
  readOnly: false,
  tokenId: 't',
  expiresAt: null,
};

function counting(): { service: IdentityService; calls: () => number; revoke: () => void } {
  let calls = 0;
  let revoked = false;
  const service = {
    authenticate: () => {
      calls += 1;
      return revoked ? Promise.reject(new Error('revoked')) : Promise.resolve(actor);
    },
    revokeToken: () => {
      revoked = true;
      return Promise.resolve();
    },
  } as unknown as IdentityService;
  return { service, calls: () => calls, revoke: () => (revoked = true) };
}

const credentials = { authorization: 'Bearer x', apiKey: 'k', orgId: 'O@AdobeOrg', sandboxName: 'prod' };

describe('authentication cache', () => {
  it('reuses a success within the TTL and checks again after it', async () => {
    let now = 1000;
    const inner = counting();
    const cached = withAuthenticationCache(inner.service, 5000, () => now);
    await cached.authenticate(credentials, { defaultSandbox: false });
    await cached.authenticate(credentials, { defaultSandbox: false });
    expect(inner.calls()).toBe(1);
    await cached.authenticate({ ...credentials, sandboxName: 'dev' }, { defaultSandbox: false });
    expect(inner.calls()).toBe(2);
    now += 5001;
    inner.revoke();
    await expect(cached.authenticate(credentials, { defaultSandbox: false })).rejects.toThrow('revoked');
  });

  it('forgets everything when a token is revoked through it', async () => {
    const inner = counting();
    const cached = withAuthenticationCache(inner.service, 60_000);
    await cached.authenticate(credentials, { defaultSandbox: false });
    await cached.revokeToken('t');
    await expect(cached.authenticate(credentials, { defaultSandbox: false })).rejects.toThrow('revoked');
  });

  it('is off with a TTL of 0', async () => {
    const inner = counting();
    const cached = withAuthenticationCache(inner.service, 0);
    await cached.authenticate(credentials, { defaultSandbox: false });
    await cached.authenticate(credentials, { defaultSandbox: false });
    expect(inner.calls()).toBe(2);
  });
});
