import { domainToASCII, domainToUnicode } from 'node:url';
import { isHighSurrogate, isLdh, isLowSurrogate, utf8Length } from './characters.js';
import { syntaxFailure } from './syntax-failure.js';
import type { SyntaxFailure } from './syntax-failure.js';
import { MAX_DOMAIN_OCTETS, MAX_LABEL_OCTETS } from './syntax-limits.js';

/** A domain name in both of its forms. */
export interface DomainNameScan {
  ok: true;
  /** U-label form, lower case, NFC (UTS #46 mapped). */
  domain: string;
  /** A-label form: what DNS and SMTP see. */
  asciiDomain: string;
}

const DOT = 0x2e;
const HYPHEN = 0x2d;
const A_LABEL_PREFIX = 'xn--';
/**
 * IDNA conversions remembered, keyed by the lower-cased input. Bulk lists
 * repeat a few domains many times and the conversion is the slowest step of a
 * parse; the cache is emptied when full, which keeps it bounded and simple.
 */
const IDNA_CACHE_ENTRIES = 1024;
const idnaCache = new Map<string, IdnaForms>();

interface IdnaForms {
  /** A-label form, or '' when the name is not valid IDNA. */
  ascii: string;
  unicode: string;
}

/**
 * Checks a domain name for an SMTP envelope (RFC 5321 `Domain`, RFC 6531
 * U-labels). Non-ASCII names are converted with `domainToASCII` (UTS #46, as
 * browsers do), but that function is a URL host parser and lets through
 * underscores, empty labels and over-long labels, so the A-label result is
 * checked again here: LDH only, labels of 1-63 octets, no hyphen at either end.
 *
 * A trailing dot (`example.com.`) is refused: it is DNS presentation syntax,
 * not part of RFC 5321's `Domain`, and servers reject `RCPT TO:<a@example.com.>`.
 */
export function scanDomainName(text: string): DomainNameScan | SyntaxFailure {
  if (text.length === 0) return syntaxFailure('bad_domain', 'The domain (after @) is empty.');
  let ascii = true;
  // ASCII characters survive IDNA mapping one for one, so their count is a
  // lower bound of the A-label length: past the limit, stop scanning.
  let asciiCount = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80 && ++asciiCount > MAX_DOMAIN_OCTETS) {
      return domainTooLong(`more than ${MAX_DOMAIN_OCTETS} octets`);
    }
    if (code >= 0x80) {
      if (isLowSurrogate(code)) return unpairedSurrogate();
      if (isHighSurrogate(code)) {
        if (!isLowSurrogate(text.charCodeAt(i + 1))) return unpairedSurrogate();
        i++;
      }
      ascii = false;
      continue;
    }
    if (isLdh(code) || code === DOT) continue;
    return unexpectedAscii(code);
  }
  const lower = text.toLowerCase();
  const needsIdna = !ascii || hasALabel(lower);
  const idna = needsIdna ? idnaForms(lower) : null;
  const asciiDomain = idna === null ? lower : idna.ascii;
  if (asciiDomain === '') {
    return syntaxFailure(
      'bad_domain',
      ascii
        ? 'The domain has an xn-- label that is not valid punycode.'
        : 'The domain is not a valid internationalised domain name (IDNA/UTS #46).',
    );
  }
  // After mapping, so an ideographic full stop (。) at the end counts too.
  if (asciiDomain.charCodeAt(asciiDomain.length - 1) === DOT) {
    return syntaxFailure(
      'bad_domain',
      'The domain ends with a dot; an envelope domain is written without the DNS root dot.',
    );
  }
  const checked = checkHostName(asciiDomain);
  if (checked !== null) return checked;
  if (idna === null) return { ok: true, domain: lower, asciiDomain };

  const domain = idna.unicode;
  // RFC 6531 keeps the limits in octets, and a UTF-8 envelope carries U-labels.
  const checkedUnicode = checkUnicodeLengths(domain);
  if (checkedUnicode !== null) return checkedUnicode;
  return { ok: true, domain, asciiDomain };
}

function idnaForms(lower: string): IdnaForms {
  const cached = idnaCache.get(lower);
  if (cached !== undefined) return cached;
  const ascii = domainToASCII(lower);
  const forms = { ascii, unicode: ascii === '' ? '' : domainToUnicode(ascii) };
  if (idnaCache.size >= IDNA_CACHE_ENTRIES) idnaCache.clear();
  idnaCache.set(lower, forms);
  return forms;
}

/** LDH labels of 1-63 octets, no hyphen at either end, 253 octets in all. */
function checkHostName(name: string): SyntaxFailure | null {
  if (name.length > MAX_DOMAIN_OCTETS) return domainTooLong(`${name.length} octets`);
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    const code = i === name.length ? DOT : name.charCodeAt(i);
    if (code !== DOT) {
      if (!isLdh(code)) {
        return syntaxFailure(
          'bad_domain',
          `The domain's A-label form holds '${name[i]}'; only letters, digits and hyphens are allowed.`,
        );
      }
      continue;
    }
    const length = i - start;
    if (length === 0) {
      return syntaxFailure(
        'bad_domain',
        'The domain has an empty label (a leading dot or two dots).',
      );
    }
    if (length > MAX_LABEL_OCTETS) return labelTooLong(length);
    if (name.charCodeAt(start) === HYPHEN || name.charCodeAt(i - 1) === HYPHEN) {
      return syntaxFailure('bad_domain', 'A domain label may not start or end with a hyphen.');
    }
    start = i + 1;
  }
  return null;
}

function checkUnicodeLengths(domain: string): SyntaxFailure | null {
  const octets = utf8Length(domain);
  if (octets > MAX_DOMAIN_OCTETS) return domainTooLong(`${octets} octets`);
  for (const label of domain.split('.')) {
    const labelOctets = utf8Length(label);
    if (labelOctets > MAX_LABEL_OCTETS) return labelTooLong(labelOctets);
  }
  return null;
}

function hasALabel(lower: string): boolean {
  return lower.startsWith(A_LABEL_PREFIX) || lower.includes(`.${A_LABEL_PREFIX}`);
}

function unexpectedAscii(code: number): SyntaxFailure {
  if (code === 0x20) return syntaxFailure('whitespace', 'Whitespace is not allowed in the domain.');
  if (code === 0x28 || code === 0x29) {
    return syntaxFailure(
      'comment',
      'Comments in parentheses are header syntax, not valid in an SMTP envelope.',
    );
  }
  if (code === 0x40) return syntaxFailure('bad_domain', 'The address has more than one @.');
  if (code === 0x5b || code === 0x5d) {
    return syntaxFailure('bad_domain', 'An address literal must be the whole domain: [ ... ].');
  }
  return syntaxFailure(
    'bad_domain',
    `The character '${String.fromCharCode(code)}' is not allowed in a domain name.`,
  );
}

function domainTooLong(length: string): SyntaxFailure {
  return syntaxFailure(
    'domain_too_long',
    `The domain is ${length} long; the limit is ${MAX_DOMAIN_OCTETS} octets.`,
  );
}

function labelTooLong(octets: number): SyntaxFailure {
  return syntaxFailure(
    'label_too_long',
    `A domain label is ${octets} octets long; the limit is ${MAX_LABEL_OCTETS}.`,
  );
}

function unpairedSurrogate(): SyntaxFailure {
  return syntaxFailure(
    'bad_domain',
    'The domain holds an unpaired UTF-16 surrogate, which is not valid UTF-8.',
  );
}
