import { domainToASCII, domainToUnicode } from 'node:url';
import type { ParsedAddress } from '../../../src/verify/syntax/parsed-address.js';

/**
 * A ParsedAddress built directly, so the lists tests do not depend on the
 * parser: domain lower-cased in Unicode and A-label forms, like the parser's.
 */
export function parsedAddress(localPart: string, domain: string): ParsedAddress {
  const literal = domain.startsWith('[');
  const asciiDomain = literal ? domain : domainToASCII(domain);
  const unicodeDomain = literal ? domain : domainToUnicode(asciiDomain);
  return {
    input: `${localPart}@${domain}`,
    localPart,
    domain: unicodeDomain,
    asciiDomain,
    addressLiteral: literal ? domain.slice(1, -1) : null,
    normalized: `${localPart}@${unicodeDomain}`,
    smtputf8: /[^\x00-\x7f]/.test(localPart),
  };
}

/** `parsedAddress` from one `local@domain` string (split at the last `@`). */
export function addr(address: string): ParsedAddress {
  const at = address.lastIndexOf('@');
  return parsedAddress(address.slice(0, at), address.slice(at + 1));
}
