import { isAsciiDigit, isHexDigit } from './characters.js';
import { syntaxFailure } from './syntax-failure.js';
import type { SyntaxFailure } from './syntax-failure.js';

/** An address literal with its IP in a canonical spelling. */
export interface AddressLiteralScan {
  ok: true;
  /** `[192.0.2.1]` or `[IPv6:2001:db8::1]`, canonical spelling. */
  domain: string;
  /** The IP alone: `192.0.2.1`, `2001:db8::1`. */
  ip: string;
}

const IPV6_TAG = 'ipv6:';
/** Hex groups of an IPv6 address written without `::` and without an IPv4 tail. */
const FULL_GROUPS = 8;
/** RFC 5321 §4.1.3: no more than 6 groups besides `::` (it stands for at least 2). */
const MAX_COMPRESSED_GROUPS = 6;
/** Hex groups before an IPv4 tail in the full form (IPv6v4-full). */
const FULL_GROUPS_BEFORE_IPV4 = 6;
/** RFC 5321 §4.1.3: no more than 4 groups besides `::` and the IPv4 tail. */
const MAX_COMPRESSED_GROUPS_BEFORE_IPV4 = 4;
const MAX_HEX_DIGITS = 4;

/**
 * Parses a domain that starts with `[` as an RFC 5321 §4.1.3 address literal.
 * Only the IPv4 form and the `IPv6:` tagged form are accepted: the general
 * form needs an IANA-registered tag and none other exists.
 */
export function scanAddressLiteral(text: string): AddressLiteralScan | SyntaxFailure {
  const close = text.indexOf(']');
  if (close === -1) return bad('The address literal is missing its closing ].');
  if (close !== text.length - 1) return bad('Nothing may follow the ] of an address literal.');
  const inner = text.slice(1, -1);
  if (
    inner.length >= IPV6_TAG.length &&
    inner.slice(0, IPV6_TAG.length).toLowerCase() === IPV6_TAG
  ) {
    const ip = parseIpv6(inner.slice(IPV6_TAG.length));
    if (ip === null) return bad('The IPv6 address literal is malformed (RFC 5321 §4.1.3).');
    return { ok: true, domain: `[IPv6:${ip}]`, ip };
  }
  const ip = parseIpv4(inner);
  if (ip === null) {
    return bad('An address literal must be [IPv4 address] or [IPv6:IPv6 address].');
  }
  return { ok: true, domain: `[${ip}]`, ip };
}

/**
 * IPv4-address-literal: four decimal numbers 0-255 of 1-3 digits. Returned
 * without leading zeros so no later reader mistakes `010` for octal.
 */
export function parseIpv4(text: string): string | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    if (part.length < 1 || part.length > 3) return null;
    for (let i = 0; i < part.length; i++) if (!isAsciiDigit(part.charCodeAt(i))) return null;
    const value = Number(part);
    if (value > 255) return null;
    numbers.push(value);
  }
  return numbers.join('.');
}

/**
 * IPv6-addr of RFC 5321 §4.1.3: IPv6-full, IPv6-comp, IPv6v4-full or
 * IPv6v4-comp. Returns the address lower-cased (IPv4 tail without leading
 * zeros), or null.
 */
export function parseIpv6(text: string): string | null {
  const compressAt = text.indexOf('::');
  if (compressAt !== -1 && text.indexOf('::', compressAt + 1) !== -1) return null;
  const left = compressAt === -1 ? text : text.slice(0, compressAt);
  const right = compressAt === -1 ? '' : text.slice(compressAt + 2);
  const leftParts = left === '' ? [] : left.split(':');
  const rightParts = right === '' ? [] : right.split(':');
  if (compressAt === -1 && leftParts.length === 0) return null;

  // An IPv4 tail can only be the very last part.
  const all = [...leftParts, ...rightParts];
  let ipv4: string | null = null;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    ipv4 = parseIpv4(last);
    if (ipv4 === null) return null;
    // After `::` the tail must sit on the right of it (IPv6v4-comp).
    if (compressAt !== -1 && rightParts.length === 0) return null;
    all.pop();
    if (compressAt === -1) leftParts.pop();
    else rightParts.pop();
  }
  for (const group of all) if (!isHexGroup(group)) return null;

  const groups = all.length;
  if (compressAt === -1) {
    if (groups !== (ipv4 === null ? FULL_GROUPS : FULL_GROUPS_BEFORE_IPV4)) return null;
  } else if (groups > (ipv4 === null ? MAX_COMPRESSED_GROUPS : MAX_COMPRESSED_GROUPS_BEFORE_IPV4)) {
    return null;
  }
  const hex = (parts: string[]): string => parts.map((p) => p.toLowerCase()).join(':');
  let spelled = compressAt === -1 ? hex(leftParts) : `${hex(leftParts)}::${hex(rightParts)}`;
  if (ipv4 !== null) spelled += spelled === '' || spelled.endsWith(':') ? ipv4 : `:${ipv4}`;
  return spelled;
}

function isHexGroup(group: string): boolean {
  if (group.length < 1 || group.length > MAX_HEX_DIGITS) return false;
  for (let i = 0; i < group.length; i++) if (!isHexDigit(group.charCodeAt(i))) return false;
  return true;
}

function bad(message: string): SyntaxFailure {
  return syntaxFailure('bad_address_literal', message);
}
