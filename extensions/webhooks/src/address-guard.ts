import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Ranges a webhook must not reach unless `allowPrivateAddresses` is set. Two lists, because a
 * BlockList also matches IPv4 addresses against its IPv6 rules (as IPv4-mapped addresses).
 */
const blockedV4 = new BlockList();
const blockedV6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata endpoints)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blockedV4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback (::1) and IPv4-compatible
  ['::ffff:0:0', 96], // IPv4-mapped: would reach any IPv4 address, private ones included
  ['64:ff9b::', 96], // NAT64 (embeds an IPv4 address)
  ['2002::', 16], // 6to4 (embeds an IPv4 address)
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blockedV6.addSubnet(network, prefix, 'ipv6');
}

/** Whether `address` (an IPv4 or IPv6 literal) is private, loopback, link-local or otherwise not public. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''); // brackets, IPv6 zone id
  const family = isIP(ip);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  return family === 4 ? blockedV4.check(ip, 'ipv4') : blockedV6.check(ip, 'ipv6');
}

/** Thrown when a destination resolves to an address the plugin may not reach. Never retried. */
export class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
  readonly code = 'webhook_destination_refused';
}

/**
 * Resolves `hostname` with node:dns and checks every address it resolves to; refuses the host when
 * any of them is private. IP literals are checked as they are.
 */
export async function resolvePublicAddresses(hostname: string): Promise<LookupAddress[]> {
  const host = hostname.replace(/^\[|\]$/g, '');
  const family = isIP(host);
  const addresses: LookupAddress[] =
    family !== 0
      ? [{ address: host, family }]
      : await new Promise<LookupAddress[]>((resolve, reject) =>
          dnsLookup(host, { all: true, verbatim: true }, (error, result) =>
            error ? reject(error) : resolve(result),
          ),
        );
  const refused = addresses.filter((a) => isPrivateAddress(a.address));
  if (refused.length > 0) {
    throw new DestinationRefusedError(
      `${hostname} resolves to a private, loopback or link-local address ` +
        `(${refused.map((a) => a.address).join(', ')}); set allowPrivateAddresses to allow it`,
    );
  }
  return addresses;
}

/**
 * A `lookup` for node:http that checks every address at connection time, so the addresses checked
 * are the ones connected to (a host cannot pass the check and then re-resolve to a private address).
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  resolvePublicAddresses(hostname).then(
    (addresses) => {
      const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
      const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
      if (usable.length === 0) {
        const error: NodeJS.ErrnoException = new Error(`no IPv${wanted} address for ${hostname}`);
        error.code = 'ENOTFOUND';
        callback(error, '', 0);
      } else if (options.all) {
        (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, usable);
      } else {
        callback(null, usable[0].address, usable[0].family);
      }
    },
    (error: NodeJS.ErrnoException) => callback(error, '', 0),
  );
};
