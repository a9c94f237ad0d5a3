import { describe, expect, it } from 'vitest';
import { AppError } from '../domain/errors.ts';
import { ALLOWED_ADDRESSES, REFUSED_ADDRESSES } from '../../test/support/egress-forms.ts';
import { createEgressPolicy, parseEgressList, type EgressOptions } from './egress.ts';

const dns: Record<string, string[]> = {
  'public.example.com': ['20.1.2.3'],
  'two.example.com': ['20.1.2.3', '10.0.0.7'],
  'internal.example.com': ['192.168.1.10'],
  'v6.example.com': ['2001:db8::1'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
  'emulator.test': ['127.0.0.1', '::1'],
  'a.b.corp.example': ['10.1.1.1'],
};
const resolve = (host: string): Promise<string[]> => {
  const answer = dns[host];
  if (answer === undefined) return Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
  return Promise.resolve(answer);
};

const policy = (options: Partial<EgressOptions> = {}) =>
  createEgressPolicy({ allow: [], deny: [], denyPrivate: true, resolve, ...options });

const refusal = async (p: Promise<void>): Promise<AppError> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

describe('default (denyPrivate)', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.2.3.4', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'metadata'],
    ['fe80::1', 'link-local'],
    ['100.64.0.1', 'NAT'],
    ['100.127.255.255', 'NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'metadata'],
  ])('refuses %s (%s)', async (host, reason) => {
    const error = await refusal(policy().assertAllowed(host, 443));
    expect(error.code).toBe('CONNECTOR-1309-400');
    expect(error.message).toContain(reason);
    expect(error.message).toContain('SLUICE_EGRESS_ALLOW');
  });

  it.each([
    '20.1.2.3',
    '172.32.0.1',
    '100.128.0.1',
    '2001:db8::5',
    '8.8.8.8',
    'public.example.com',
    'v6.example.com',
  ])('allows public %s', async (host) => {
    await expect(policy().assertAllowed(host, 443)).resolves.toBeUndefined();
  });

  it('checks every resolved address: one private address refuses the host, without saying where it resolved', async () => {
    const error = await refusal(policy().assertAllowed('two.example.com', 443));
    expect(error.message).toContain('two.example.com:443');
    expect(error.message).not.toContain('10.0.0.7');
    expect(error.message).not.toMatch(/private address|resolves/);
    expect(error.message).toContain('add "two.example.com" to SLUICE_EGRESS_ALLOW');
    expect(error.report).toEqual({ host: 'two.example.com', port: 443 });
  });

  it('gives one message for every refused host name, whatever it resolved to and whichever rule matched', async () => {
    const message = async (host: string, options: Partial<EgressOptions> = {}): Promise<string> =>
      (await refusal(policy(options).assertAllowed(host, 443))).message.replaceAll(host, '<host>');
    const messages = new Set([
      await message('internal.example.com'),
      await message('mapped.example.com'),
      await message('emulator.test'),
      await message('a.b.corp.example'),
      await message('public.example.com', { deny: ['20.0.0.0/8'] }),
      await message('v6.example.com', { deny: ['2001:db8::/32'] }),
    ]);
    expect(messages.size).toBe(1);
  });

  it('judges an IPv4-mapped IPv6 answer as the IPv4 address', async () => {
    await refusal(policy().assertAllowed('mapped.example.com', 443));
    await expect(
      policy({ allow: ['127.0.0.1'] }).assertAllowed('mapped.example.com', 443),
    ).resolves.toBeUndefined();
  });

  it('allows private addresses when denyPrivate is off', async () => {
    const open = policy({ denyPrivate: false });
    await expect(open.assertAllowed('127.0.0.1', 1)).resolves.toBeUndefined();
    await expect(open.assertAllowed('internal.example.com', 1)).resolves.toBeUndefined();
  });

  it('reports a name that does not resolve as a verification failure, not a refusal', async () => {
    const error = await refusal(policy().assertAllowed('nowhere.invalid', 443));
    expect(error.code).toBe('CONNECTOR-1308-400');
    expect(error.message).toContain('nowhere.invalid');
  });
});

describe('explicit allow', () => {
  it('an allowed hostname may resolve to private addresses', async () => {
    await expect(
      policy({ allow: ['emulator.test'] }).assertAllowed('emulator.test', 8443),
    ).resolves.toBeUndefined();
  });

  it('a wildcard allows subdomains at any depth but not the bare domain', async () => {
    const p = policy({ allow: ['*.corp.example'] });
    await expect(p.assertAllowed('a.b.corp.example', 443)).resolves.toBeUndefined();
    dns['corp.example'] = ['10.9.9.9'];
    await refusal(p.assertAllowed('corp.example', 443));
  });

  it('an allowed CIDR admits matching addresses only', async () => {
    const p = policy({ allow: ['127.0.0.0/8'] });
    await expect(p.assertAllowed('127.0.0.1', 443)).resolves.toBeUndefined();
    // emulator.test also resolves to ::1, which the v4 range does not cover.
    await refusal(p.assertAllowed('emulator.test', 443));
    await expect(
      policy({ allow: ['127.0.0.0/8', '::1'] }).assertAllowed('emulator.test', 443),
    ).resolves.toBeUndefined();
  });

  it('an IPv6 CIDR and an IPv4-mapped CIDR are understood', async () => {
    await expect(policy({ allow: ['fd00::/8'] }).assertAllowed('fd12::1', 1)).resolves.toBeUndefined();
    await refusal(policy({ allow: ['fd00::/8'] }).assertAllowed('fc12::1', 1));
    await expect(
      policy({ allow: ['::ffff:10.0.0.0/104'] }).assertAllowed('10.200.1.1', 1),
    ).resolves.toBeUndefined();
    await refusal(policy({ allow: ['::ffff:10.0.0.0/104'] }).assertAllowed('192.168.1.1', 1));
  });

  it('host names are matched case-insensitively and without a trailing dot', async () => {
    await expect(
      policy({ allow: ['Emulator.Test'] }).assertAllowed('EMULATOR.test.', 1),
    ).resolves.toBeUndefined();
  });
});

describe('explicit deny', () => {
  it('a denied hostname is refused even if also allowed, naming SLUICE_EGRESS_DENY', async () => {
    const error = await refusal(
      policy({ allow: ['public.example.com'], deny: ['public.example.com'] }).assertAllowed(
        'public.example.com',
        443,
      ),
    );
    expect(error.message).toContain('SLUICE_EGRESS_DENY');
  });

  it('a denied range wins over an allowed hostname and an allowed range', async () => {
    const p = policy({ allow: ['emulator.test', '127.0.0.0/8'], deny: ['127.0.0.1/32'] });
    await refusal(p.assertAllowed('emulator.test', 443));
    await refusal(p.assertAllowed('127.0.0.1', 443));
    await expect(p.assertAllowed('127.0.0.2', 443)).resolves.toBeUndefined();
  });

  it('deny applies even with denyPrivate off, to public addresses and wildcards', async () => {
    const p = policy({ denyPrivate: false, deny: ['20.0.0.0/8', '*.evil.example'] });
    await refusal(p.assertAllowed('public.example.com', 443));
    dns['x.evil.example'] = ['8.8.8.8'];
    await refusal(p.assertAllowed('x.evil.example', 443));
    await expect(p.assertAllowed('8.8.8.8', 443)).resolves.toBeUndefined();
  });

  it('a denied mapped address denies the IPv4 address and vice versa', async () => {
    await refusal(policy({ denyPrivate: false, deny: ['::ffff:8.8.8.8'] }).assertAllowed('8.8.8.8', 1));
    await refusal(policy({ denyPrivate: false, deny: ['8.8.8.8'] }).assertAllowed('::ffff:808:808', 1));
  });
});

describe('parseEgressList', () => {
  it('splits on commas and spaces and normalizes', () => {
    expect(
      parseEgressList(' a.example.com, *.Corp.example  10.0.0.0/8,,::1 fd00::/8 ::ffff:10.0.0.0/104 '),
    ).toEqual(['a.example.com', '*.corp.example', '10.0.0.0/8', '::1', 'fd00::/8', '::ffff:10.0.0.0/104']);
    expect(parseEgressList('')).toEqual([]);
  });

  it.each([
    '10.0.0.0/33',
    '::1/129',
    '*',
    '*.',
    'foo..bar',
    '-bad.example',
    'http://x.example',
    '1.2.3',
    'a/b',
    '10.0.0.0/x',
  ])('rejects %j naming the pattern', (bad) => {
    expect(() => parseEgressList(`ok.example, ${bad}`)).toThrow(`invalid egress pattern "${bad}"`);
  });
});

describe('every way of writing a private destination (production default)', () => {
  it.each(REFUSED_ADDRESSES)('refuses %s', async (host) => {
    const error = await refusal(policy().assertAllowed(host, 443));
    expect(error.code).toBe('CONNECTOR-1309-400');
    expect(error.message).toContain('SLUICE_EGRESS_ALLOW');
  });

  it.each(ALLOWED_ADDRESSES)('allows public %s', async (host) => {
    await expect(policy().assertAllowed(host, 443)).resolves.toBeUndefined();
  });

  it('judges an embedded address against explicit deny rules too', async () => {
    const p = policy({ denyPrivate: false, deny: ['10.0.0.0/8'] });
    for (const host of ['64:ff9b::a00:1', '2002:a00:1::1', '::ffff:0:10.0.0.1', '::10.0.0.1']) {
      const error = await refusal(p.assertAllowed(host, 443));
      expect(error.message).toContain('10.0.0.0/8');
    }
    await expect(p.assertAllowed('64:ff9b::808:808', 443)).resolves.toBeUndefined();
  });

  it('lets an embedded address through only when every address it carries is allowed', async () => {
    await expect(
      policy({ allow: ['127.0.0.1'] }).assertAllowed('64:ff9b::7f00:1', 443),
    ).resolves.toBeUndefined();
    await refusal(policy({ allow: ['64:ff9b::7f00:1'] }).assertAllowed('64:ff9b::7f00:1', 443));
  });

  it('names the embedded address of a literal (the caller wrote it)', async () => {
    const error = await refusal(policy().assertAllowed('64:ff9b::a9fe:a9fe', 443));
    expect(error.message).toContain('embeds 169.254.169.254');
  });

  it('refuses a host name resolving to an embedding form, without naming it', async () => {
    dns['nat64.example.com'] = ['64:ff9b::7f00:1'];
    const error = await refusal(policy().assertAllowed('nat64.example.com', 443));
    expect(error.message).not.toMatch(/64:ff9b|127\.0\.0\.1|embeds/);
  });
});
