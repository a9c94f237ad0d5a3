/**
 * The outbound (egress) policy: which hosts a connector may open connections to. A connection is refused
 * before any byte is sent, so a connection test cannot be used to probe the private network or the cloud
 * metadata endpoint (SSRF), nor to map ports: a refused destination gets the same answer whatever the state
 * of its port (open, closed or silent), because nothing is ever sent to it.
 *
 * Guarantees:
 * - the host is resolved and EVERY address it resolves to is checked (one private address is enough to refuse);
 * - an address is judged together with every IPv4 address it embeds (egress-addresses.ts: mapped, compatible,
 *   translated, NAT64, 6to4, Teredo, ISATAP): a deny or a private range matching any of them refuses it, and
 *   each of them must be allowed (or public) for it to pass;
 * - precedence: an explicit deny (host or address) always wins; then an explicit allow (host pattern or
 *   address range) permits; then the default applies: with `denyPrivate`, the private ranges are refused,
 *   anything else is allowed;
 * - an allow list does not turn the policy into an allow-only list: it lists exceptions to the default;
 * - no DNS oracle: the refusal of a host NAME never says what it resolved to, nor which range or rule matched
 *   the resolved address: one message names the host, the port and the settings that govern it. Only a
 *   literal address (the caller's own input) is described (loopback, private, …).
 *
 * Known limit: the address is checked here and resolved again by the client that connects afterwards, so a
 * DNS answer that changes in between (rebinding) is not caught.
 */
import { lookup } from 'node:dns/promises';
import { AppError } from '../domain/errors.ts';
import type { EgressPolicy } from './connector.ts';
import {
  embeddedIpv4,
  inRange,
  parseAddress,
  parseRange,
  privateReason,
  type Address,
  type Range,
} from './egress-addresses.ts';

export interface EgressOptions {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  readonly denyPrivate: boolean;
  /** Resolves a hostname to all its addresses; defaults to dns.lookup with `all: true`. */
  readonly resolve?: (host: string) => Promise<string[]>;
}

type Rule =
  | { readonly kind: 'host'; readonly pattern: string; readonly host: string }
  | { readonly kind: 'suffix'; readonly pattern: string; readonly suffix: string }
  | { readonly kind: 'range'; readonly pattern: string; readonly range: Range };

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

const isHostname = (value: string): boolean =>
  value.length <= 253 && value.split('.').every((label) => HOST_LABEL.test(label));

const normalizeHost = (host: string): string => host.trim().toLowerCase().replace(/\.$/, '');

const parseRule = (raw: string): Rule => {
  const pattern = normalizeHost(raw);
  const range = parseRange(pattern);
  if (range !== undefined) return { kind: 'range', pattern, range };
  if (pattern.startsWith('*.') && isHostname(pattern.slice(2)) && pattern.length > 2) {
    return { kind: 'suffix', pattern, suffix: pattern.slice(1) };
  }
  if (isHostname(pattern) && !/^[\d.]+$/.test(pattern)) return { kind: 'host', pattern, host: pattern };
  throw new Error(
    `invalid egress pattern "${raw}": expected a hostname, *.suffix, an IPv4/IPv6 address or a CIDR range`,
  );
};

/** Splits a comma- or space-separated setting (SLUICE_EGRESS_ALLOW/DENY) and validates every pattern. */
export const parseEgressList = (value: string): string[] => {
  const patterns = value.split(/[\s,]+/).filter((p) => p !== '');
  return patterns.map((p) => parseRule(p).pattern);
};

const hostMatches = (rule: Rule, host: string): boolean =>
  (rule.kind === 'host' && rule.host === host) || (rule.kind === 'suffix' && host.endsWith(rule.suffix));

const addressMatches = (rule: Rule, address: Address): boolean =>
  rule.kind === 'range' && inRange(address, rule.range);

const defaultResolve = async (host: string): Promise<string[]> => {
  const answers = await lookup(host, { all: true, order: 'verbatim' });
  return answers.map((a) => a.address);
};

const refuse = (host: string, port: number, why: string): AppError =>
  new AppError('CONNECTOR-1309-400', `Outbound connections to ${host}:${port} are not allowed: ${why}.`, {
    host,
    port,
  });

/** The one refusal of a host name by address: it says nothing of where the name resolved. */
const refuseName = (host: string, port: number): AppError =>
  refuse(
    host,
    port,
    'the egress policy does not allow this destination (SLUICE_EGRESS_DENY, and in production SLUICE_EGRESS_DENY_PRIVATE, ' +
      `which refuses private, loopback and link-local addresses); to allow it, add "${host}" to SLUICE_EGRESS_ALLOW`,
  );

/** The address and every IPv4 address it embeds: each is judged. */
const candidatesOf = (address: Address): Address[] => [address, ...embeddedIpv4(address)];

export const createEgressPolicy = (options: EgressOptions): EgressPolicy => {
  const allow = options.allow.map(parseRule);
  const deny = options.deny.map(parseRule);
  const resolve = options.resolve ?? defaultResolve;

  /** Why a literal address is refused, or undefined when it may be reached. */
  const judge = (address: Address, allowedHost: boolean): string | undefined => {
    for (const candidate of candidatesOf(address)) {
      const denied = deny.find((rule) => addressMatches(rule, candidate));
      if (denied !== undefined) {
        const what = candidate === address ? '' : ` (it embeds ${candidate.text})`;
        return `it matches "${denied.pattern}" in SLUICE_EGRESS_DENY${what}, which wins over SLUICE_EGRESS_ALLOW`;
      }
    }
    if (allowedHost || !options.denyPrivate) return undefined;
    for (const candidate of candidatesOf(address)) {
      if (allow.some((rule) => addressMatches(rule, candidate))) continue;
      const reason = privateReason(candidate);
      if (reason !== undefined) {
        const what = candidate === address ? `it is ${reason}` : `it embeds ${candidate.text}, ${reason}`;
        return `${what} (SLUICE_EGRESS_DENY_PRIVATE); to allow it, add "${candidate.text}" to SLUICE_EGRESS_ALLOW`;
      }
    }
    return undefined;
  };

  return {
    async assertAllowed(rawHost: string, port: number): Promise<void> {
      const host = normalizeHost(rawHost).replace(/^\[|\]$/g, '');
      const literal = parseAddress(host);
      if (literal !== undefined) {
        const why = judge(literal, false);
        if (why !== undefined) throw refuse(host, port, why);
        return;
      }
      const deniedHost = deny.find((rule) => hostMatches(rule, host));
      if (deniedHost !== undefined) {
        throw refuse(
          host,
          port,
          `it matches "${deniedHost.pattern}" in SLUICE_EGRESS_DENY, which wins over SLUICE_EGRESS_ALLOW`,
        );
      }
      const allowedHost = allow.some((rule) => hostMatches(rule, host));
      for (const address of await resolveAll(host, port, resolve)) {
        if (judge(address, allowedHost) !== undefined) throw refuseName(host, port);
      }
    },
  };
};

const resolveAll = async (
  host: string,
  port: number,
  resolve: (host: string) => Promise<string[]>,
): Promise<Address[]> => {
  let answers: string[];
  try {
    answers = await resolve(host);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const permanent = code === 'ENOTFOUND' || code === 'ENODATA';
    throw new AppError(
      permanent ? 'CONNECTOR-1308-400' : 'CONNECTOR-1502-502',
      `The host ${host} could not be resolved (${typeof code === 'string' ? code : 'DNS error'}); check the name.`,
      { host, port },
      { cause: error },
    );
  }
  const addresses = answers.map(parseAddress);
  if (addresses.length === 0 || addresses.some((a) => a === undefined)) {
    throw refuse(host, port, 'its DNS answer is empty or not an IP address');
  }
  return addresses as Address[];
};
