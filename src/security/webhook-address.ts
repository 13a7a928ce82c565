/**
 * Which network addresses a webhook may be delivered to (SSRF, docs/webhooks.md). An address is
 * `public` (ordinary unicast), `private` (loopback, RFC 1918, unique-local, carrier-grade NAT:
 * allowed only with WEBHOOK_ALLOW_PRIVATE, for local receivers) or `forbidden` always: link-local
 * (where cloud metadata lives, 169.254.169.254), the known metadata addresses in other ranges,
 * and everything that is not a host (unspecified, multicast, broadcast, reserved, and the IPv6
 * ranges that embed or tunnel an IPv4 address). Ranges come from ipaddr.js.
 */
import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

export type AddressClass = 'public' | 'private' | 'forbidden';

/** Metadata services outside link-local (Alibaba, AWS IPv6), refused even with WEBHOOK_ALLOW_PRIVATE. */
const METADATA = new Set(['100.100.100.200', 'fd00:ec2:0:0:0:0:0:254']);

const PRIVATE_RANGES = new Set(['loopback', 'private', 'uniqueLocal', 'carrierGradeNat']);

export function classifyAddress(ip: string): AddressClass {
  if (!ipaddr.isValid(ip)) return 'forbidden';
  // An IPv4-mapped IPv6 address (::ffff:10.0.0.1) is the IPv4 address it maps.
  const address = ipaddr.process(ip);
  if (METADATA.has(address.toNormalizedString())) return 'forbidden';
  const range = address.range();
  if (range === 'unicast') return 'public';
  return PRIVATE_RANGES.has(range) ? 'private' : 'forbidden';
}

/** Allowed under the setting? */
export function addressAllowed(ip: string, allowPrivate: boolean): boolean {
  const verdict = classifyAddress(ip);
  return verdict === 'public' || (verdict === 'private' && allowPrivate);
}

/** The host of a URL as an IP literal (brackets of IPv6 removed), or null for a name. */
export function ipLiteral(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? null : bare;
}
