import { scanAddressLiteral } from './address-literal.js';
import {
  isAscii,
  isControlCharacter,
  isForbiddenWhitespace,
  isTrimmable,
  utf8Length,
} from './characters.js';
import { scanDomainName } from './domain-name.js';
import { scanLocalPart } from './local-part.js';
import type { ParseResult, ParsedAddress } from './parsed-address.js';
import { describeCodePoint, syntaxFailure } from './syntax-failure.js';
import type { SyntaxFailure } from './syntax-failure.js';
import { MAX_ADDRESS_OCTETS, MAX_INPUT_CODE_UNITS } from './syntax-limits.js';

/** Options of {@link parseAddress}. */
export interface ParseAddressOptions {
  /**
   * Strip spaces, tabs, Unicode space separators and byte-order marks from
   * both ends before parsing (people paste them along). CR, LF and other
   * controls are never stripped: they stay errors. Default true; false judges
   * the string exactly as given, as a test suite of raw addr-specs expects.
   */
  trim?: boolean;
}

const DEFAULT_TRIM = true;
const OPEN_BRACKET = 0x5b;

/**
 * Parses a mailbox as it may appear in an SMTP envelope (`MAIL FROM`/`RCPT TO`,
 * RFC 5321 §4.1.2 `Mailbox`, with RFC 6531 UTF-8). Header-only syntax —
 * comments, folding whitespace, obsolete forms — is refused, and so is every
 * control character, so whatever passes is safe to put on the wire.
 *
 * Linear in the input length: inputs longer than {@link MAX_INPUT_CODE_UNITS}
 * are refused after one length check, and each part is scanned once.
 * Never throws; a non-string input is reported as `empty`.
 */
export function parseAddress(input: string, options: ParseAddressOptions = {}): ParseResult {
  if (typeof input !== 'string') return syntaxFailure('empty', 'No address was given.');
  const text = (options.trim ?? DEFAULT_TRIM) ? trimInput(input) : input;
  if (text.length === 0) return syntaxFailure('empty', 'The address is empty.');
  if (text.length > MAX_INPUT_CODE_UNITS) {
    return syntaxFailure(
      'too_long',
      `The address is ${text.length} characters long; the limit is ${MAX_ADDRESS_OCTETS} octets.`,
    );
  }
  const forbidden = findForbiddenCharacter(text);
  if (forbidden !== null) return forbidden;
  if (!text.includes('@')) return syntaxFailure('no_at_sign', 'The address has no @.');

  // NFC first so lengths and the stored form are those of the normalised text.
  const nfc = isAscii(text) ? text : text.normalize('NFC');
  const local = scanLocalPart(nfc);
  if (!local.ok) return local;
  const domainText = nfc.slice(local.atIndex + 1);
  const domainScan =
    domainText.charCodeAt(0) === OPEN_BRACKET ? literalDomain(domainText) : nameDomain(domainText);
  if (!domainScan.ok) return domainScan;

  const octets =
    utf8Length(local.localPart) +
    1 +
    Math.max(utf8Length(domainScan.domain), domainScan.asciiDomain.length);
  if (octets > MAX_ADDRESS_OCTETS) {
    return syntaxFailure(
      'too_long',
      `The address is ${octets} octets long; the limit is ${MAX_ADDRESS_OCTETS}.`,
    );
  }
  const address: ParsedAddress = {
    input,
    localPart: local.localPart,
    domain: domainScan.domain,
    asciiDomain: domainScan.asciiDomain,
    addressLiteral: domainScan.addressLiteral,
    normalized: `${local.localPart}@${domainScan.domain}`,
    smtputf8: local.utf8,
  };
  return { ok: true, address };
}

interface DomainParts {
  ok: true;
  domain: string;
  asciiDomain: string;
  addressLiteral: string | null;
}

function literalDomain(text: string): DomainParts | SyntaxFailure {
  const scan = scanAddressLiteral(text);
  if (!scan.ok) return scan;
  return { ok: true, domain: scan.domain, asciiDomain: scan.domain, addressLiteral: scan.ip };
}

function nameDomain(text: string): DomainParts | SyntaxFailure {
  const scan = scanDomainName(text);
  if (!scan.ok) return scan;
  return { ...scan, addressLiteral: null };
}

function trimInput(input: string): string {
  let start = 0;
  let end = input.length;
  while (start < end && isTrimmable(input.charCodeAt(start))) start++;
  while (end > start && isTrimmable(input.charCodeAt(end - 1))) end--;
  return start === 0 && end === input.length ? input : input.slice(start, end);
}

/**
 * Control characters anywhere (quoted or not) are refused first: they are how
 * SMTP command injection starts, so they get a code of their own whatever
 * else is wrong with the input.
 */
function findForbiddenCharacter(text: string): SyntaxFailure | null {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f) continue;
    if (isControlCharacter(code)) {
      return syntaxFailure(
        'control_character',
        `The address holds the control character ${describeCodePoint(code)} at position ${i + 1}.`,
      );
    }
    if (isForbiddenWhitespace(code)) {
      return syntaxFailure(
        'whitespace',
        `The address holds whitespace ${describeCodePoint(code)} at position ${i + 1}.`,
      );
    }
  }
  return null;
}
