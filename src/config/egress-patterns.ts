/**
 * The grammar of SLUICE_EGRESS_ALLOW / SLUICE_EGRESS_DENY entries, checked at start so a typo is a
 * configuration problem rather than a rule that silently never matches. Accepted: a hostname, a
 * `*.suffix` wildcard, an IPv4 or IPv6 address (IPv6 optionally in brackets), or a CIDR range of
 * either family. The connectors' egress policy applies them; this file only validates and
 * normalises (trimmed, lower case, no trailing dot), the same way that policy does.
 */
import { isIP } from 'node:net';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

const isHostname = (text: string): boolean =>
  text.length > 0 && text.length <= 253 && text.split('.').every((label) => LABEL.test(label));

const stripBrackets = (text: string): string =>
  text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;

function isAddressOrRange(pattern: string): boolean {
  const slash = pattern.indexOf('/');
  const address = stripBrackets(slash === -1 ? pattern : pattern.slice(0, slash));
  const family = isIP(address);
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = pattern.slice(slash + 1);
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

export const normalizeEgressPattern = (raw: string): string => raw.trim().toLowerCase().replace(/\.$/, '');

/** The normalised pattern, or undefined when `raw` is not a valid egress pattern. */
export function checkEgressPattern(raw: string): string | undefined {
  const pattern = normalizeEgressPattern(raw);
  if (isAddressOrRange(pattern)) return pattern;
  if (pattern.startsWith('*.') && isHostname(pattern.slice(2))) return pattern;
  // All-numeric dotted names are malformed IPv4 addresses, not hostnames.
  if (isHostname(pattern) && !/^[\d.]+$/.test(pattern)) return pattern;
  return undefined;
}
