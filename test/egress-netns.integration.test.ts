/**
 * The egress policy with the real connectors, in a network namespace of its own with only loopback up
 * (`ip netns add`, `ip netns exec`; needs root, as CI has), so that no packet can leave the machine and a
 * form the policy fails to refuse ends in "network unreachable" instead of on a real network. The work
 * runs in test/support/egress-probe.ts inside the namespace; this file asserts on what it saw.
 *
 * Checked: production is the default for a server listening on 0.0.0.0; every private/loopback/metadata
 * form (IPv4, IPv6, each IPv6 form embedding an IPv4 address, URL spellings) is refused before any
 * connection with CONNECTOR-1309-400, by both connectors; refusals of host names never say where the name
 * resolved; a refused destination gets the same message whatever the state of its port, where development
 * mode (the control) tells open, closed and silent ports apart.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_ADDRESSES, REFUSED_ADDRESSES, REFUSED_URLS } from './support/egress-forms.ts';

const run = promisify(execFile);
const isCi = process.env.CI === 'true' || process.env.CI === '1';
const namespace = `sluice-egress-${process.pid}-${randomBytes(3).toString('hex')}`;

interface Outcome {
  form: string;
  connector: string;
  status: number;
  code: string;
  stage?: string;
  message: string;
}
interface Probe {
  mode: string;
  modeSource: string;
  ports: Record<'open' | 'silent' | 'closed', number>;
  refused: Outcome[];
  allowed: Outcome[];
  productionPorts: Outcome[];
  developmentPorts: Outcome[];
  gap: Outcome[];
}

/** Root and iproute2 are what `ip netns` needs; the namespace itself is made in beforeAll. */
const capable =
  process.getuid?.() === 0 && ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip'].some((path) => existsSync(path));
if (!capable && !isCi) {
  console.warn('\n!!! SKIPPING the network-namespace egress tests: they need root and iproute2 (ip netns)\n');
}

const withoutPort = (outcome: Outcome, ports: Probe['ports']): string =>
  Object.values(ports).reduce((text, port) => text.replaceAll(String(port), '<port>'), outcome.message);

describe.skipIf(!capable && !isCi)('egress in a namespace with only loopback', () => {
  let created = false;
  let probe: Probe;
  beforeAll(async () => {
    await run('ip', ['netns', 'add', namespace]);
    created = true;
    await run('ip', ['netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up']);
    const { stdout } = await run(
      'ip',
      ['netns', 'exec', namespace, process.execPath, 'test/support/egress-probe.ts'],
      { cwd: process.cwd(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    probe = JSON.parse(stdout) as Probe;
  }, 150_000);

  afterAll(async () => {
    if (created) await run('ip', ['netns', 'del', namespace]);
  });

  it('defaults to production for a server listening on 0.0.0.0', () => {
    expect(probe.mode).toBe('production');
    expect(probe.modeSource).toBe('non-loopback default');
  });

  it('refuses every private form with CONNECTOR-1309-400 before connecting, on both connectors', () => {
    expect(probe.refused.length).toBe(REFUSED_ADDRESSES.length * 2 + REFUSED_URLS.length);
    for (const outcome of probe.refused) {
      const context = `${outcome.connector} ${outcome.form}: ${outcome.code} ${outcome.message}`;
      expect(outcome.status, context).toBe(400);
      // A form the URL parser already refuses never reaches the network either; all others are egress refusals.
      if (outcome.stage === 'parse') continue;
      expect(outcome.code, context).toBe('CONNECTOR-1309-400');
      expect(outcome.stage, context).toBe('reach');
      expect(outcome.message, context).not.toMatch(/unreachable|refused|did not answer/);
    }
    expect(probe.refused.filter((outcome) => outcome.stage === 'parse').length).toBeLessThanOrEqual(4);
  });

  it('lets public destinations through to the network, which is unreachable here', () => {
    expect(probe.allowed.length).toBe(ALLOWED_ADDRESSES.length);
    for (const outcome of probe.allowed) {
      expect(outcome.code, outcome.form).toBe('CONNECTOR-1308-400');
      expect(outcome.message, outcome.form).toMatch(/unreachable/);
    }
  });

  it('never says where a refused host name resolved', () => {
    for (const outcome of probe.productionPorts.filter((o) => o.form.startsWith('localhost'))) {
      expect(outcome.message).not.toMatch(/127\.0\.0\.1|::1|loopback address|resolves/);
      expect(outcome.message).toContain('SLUICE_EGRESS_ALLOW');
    }
  });

  it('gives a refused destination the same answer whatever the state of its port', () => {
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]']) {
      for (const connector of ['databricks', 'ats']) {
        const answers = probe.productionPorts.filter(
          (o) => o.form.startsWith(`${host} `) && o.connector === connector,
        );
        expect(answers).toHaveLength(3);
        expect(
          new Set(answers.map((o) => `${o.code} ${o.stage ?? ''} ${withoutPort(o, probe.ports)}`)).size,
        ).toBe(1);
      }
    }
  });

  it('the control: development mode tells port states apart, as an attacker would use', () => {
    const databricks = probe.developmentPorts.filter(
      (o) => o.form.startsWith('127.0.0.1 ') && o.connector === 'databricks',
    );
    expect(new Set(databricks.map((o) => withoutPort(o, probe.ports))).size).toBe(3);
  });

  it('the control: a form let through ends in "network unreachable", not on a real network', () => {
    for (const outcome of probe.gap) {
      expect(outcome.code, outcome.form).toBe('CONNECTOR-1308-400');
      expect(outcome.message, outcome.form).toMatch(/unreachable/);
    }
  });
});
