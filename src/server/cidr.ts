import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * Canonical CIDR for an IP or CIDR string, or throws InvalidArgumentError.
 * One network has one spelling — host bits zeroed, IPv6 compressed (RFC
 * 5952), an IPv4-mapped IPv6 block (`::ffff:192.0.2.0/120`) turned into the
 * IPv4 block it means — so a block is stored once and removed by any of its
 * spellings.
 */
export function normalizeCidr(input: string): {
  cidr: string;
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
} {
  const [address = '', prefixText, ...rest] = input.trim().split('/');
  const version = isIP(address);
  const shown = JSON.stringify(input.slice(0, 64));
  // A zone id (`fe80::1%eth0`) names an interface, not an address a client has.
  if (version === 0 || rest.length > 0 || address.includes('%'))
    throw new InvalidArgumentError(`${shown} is not an IP address or CIDR`);
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max))
    throw new InvalidArgumentError(`${shown}: the prefix length must be 0..${max}`);
  let prefix = prefixText === undefined ? max : Number(prefixText);
  let ip: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && prefix >= 96 && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
    prefix -= 96;
  }
  const family = ip.kind();
  const network = (
    family === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${ip.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${ip.toString()}/${prefix}`)
  ).toString();
  return {
    cidr: prefix === (family === 'ipv4' ? 32 : 128) ? network : `${network}/${prefix}`,
    address: network,
    prefix,
    family,
  };
}
