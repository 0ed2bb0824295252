import { isIPv4, isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../../errors.js';

/** The port a DNS server listens on when a server string names none. */
export const DEFAULT_DNS_PORT = 53;

/** One upstream DNS server, as an IP literal and a port. */
export interface DnsServerAddress {
  host: string;
  port: number;
  family: 4 | 6;
}

/**
 * Parse a resolver address: `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]`, `[::1]:5353`.
 *
 * Only IP literals are accepted: a resolver named by host name would need DNS
 * to find DNS. The check is strict because node's `Resolver.setServers`
 * silently wraps ports above 65535 and aborts the whole process on port 0.
 *
 * @throws InvalidArgumentError naming the offending string.
 */
export function parseServerAddress(input: string): DnsServerAddress {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`invalid DNS server "${input}": ${why}`);
  };
  if (typeof input !== 'string') return fail('not a string');
  const text = input.trim();
  if (text === '') return fail('empty');

  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return fail('missing "]" after IPv6 address');
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return fail('expected ":port" after "]"');
      portText = rest.slice(1);
    }
    if (!isIPv6(host)) return fail('not an IPv6 address inside [ ]');
  } else if (text.split(':').length > 2) {
    // Two or more colons: a bare IPv6 literal, which cannot carry a port.
    host = text;
    if (!isIPv6(host)) return fail('not an IP address (write IPv6 with a port as [addr]:port)');
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? undefined : text.slice(colon + 1);
    if (!isIPv4(host)) return fail('host must be an IPv4 or IPv6 address, not a name');
  }

  let port = DEFAULT_DNS_PORT;
  if (portText !== undefined) {
    if (!/^[0-9]{1,5}$/.test(portText)) return fail('port must be a number');
    port = Number(portText);
    if (port < 1 || port > 65535) return fail('port must be between 1 and 65535');
  }
  return { host, port, family: isIPv4(host) ? 4 : 6 };
}

/** The form `Resolver.setServers` accepts: `1.2.3.4:53` or `[::1]:53`. */
export function formatServerAddress(address: DnsServerAddress): string {
  return address.family === 6
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}
