import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a plugin's outgoing HTTP may reach: public unicast only, unless the installation
 * allows private destinations. A BlockList matches an IPv6 address written as IPv4-mapped
 * (`::ffff:127.0.0.1`, `::ffff:7f00:1`) against its IPv4 rules, so the IPv4 ranges cover those
 * forms too; the IPv6 ranges live in their own list so that `::/96` can't swallow IPv4 checks.
 */
const ipv4Ranges = new BlockList();
const ipv6Ranges = new BlockList();

const IPV4_NOT_PUBLIC: [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, where cloud metadata services answer
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
];
const IPV6_NOT_PUBLIC: [string, number][] = [
  ['::', 96], // unspecified, loopback (::1), IPv4-compatible
  ['::ffff:0:0', 96], // IPv4-mapped (checked against the IPv4 ranges too, but never needed publicly)
  ['64:ff9b::', 96], // NAT64: embeds an IPv4 address
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: embeds an IPv4 address
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];
for (const [network, prefix] of IPV4_NOT_PUBLIC) ipv4Ranges.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of IPV6_NOT_PUBLIC) ipv6Ranges.addSubnet(network, prefix, 'ipv6');

/** Strips the brackets of a URL's IPv6 host and an IPv6 zone id (`fe80::1%eth0`). */
export function bareAddress(address: string): string {
  return address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
}

/**
 * Whether `address` (an IP literal) is anything but a public unicast address: private, loopback,
 * link-local, unique-local, multicast, reserved, or an IPv6 form that embeds such an IPv4 address.
 */
export function isNonPublicAddress(address: string): boolean {
  const ip = bareAddress(address);
  switch (isIP(ip)) {
    case 4:
      return ipv4Ranges.check(ip, 'ipv4');
    case 6:
      return ipv6Ranges.check(ip, 'ipv6') || ipv4Ranges.check(ip, 'ipv6');
    default:
      throw new TypeError(`not an IP address: ${address}`);
  }
}
