import { isIPv4, isIPv6 } from 'node:net';

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/**
 * An IP address in one spelling: IPv4 as is, an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`,
 * as a dual-stack socket reports IPv4 clients) as IPv4, IPv6 in lower case without a zone.
 * Undefined for anything that is not an IP address.
 *
 * @example canonicalIp('::ffff:192.0.2.7') // '192.0.2.7'
 */
export function canonicalIp(value: string): string | undefined {
  const address = value.trim().replace(/%.*$/, '').toLowerCase();
  const mapped = V4_MAPPED.exec(address)?.[1];
  if (mapped !== undefined && isIPv4(mapped)) return mapped;
  if (isIPv4(address) || isIPv6(address)) return address;
  return undefined;
}

/**
 * What a per-client limit counts against: an IPv4 address, or the /64 network of an IPv6
 * address (one subscriber commonly holds a whole /64, so counting single IPv6 addresses
 * would give each of them billions of fresh counters). Undefined for a non-address.
 *
 * @example clientNetwork('2001:db8:1:2:aa::1') // '2001:db8:1:2::/64'
 */
export function clientNetwork(value: string): string | undefined {
  const ip = canonicalIp(value);
  if (ip === undefined || isIPv4(ip)) return ip;
  const groups = ipv6Groups(ip);
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` and a dotted IPv4 tail expanded). */
function ipv6Groups(ip: string): number[] {
  const [head = '', tail] = ip.split('::');
  const parse = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          const [a = 0, b = 0, c = 0, d = 0] = group.split('.').map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
