import {
  isAsciiAtext,
  isAsciiQtext,
  isHighSurrogate,
  isLowSurrogate,
  utf8Length,
} from './characters.js';
import { syntaxFailure } from './syntax-failure.js';
import type { SyntaxFailure } from './syntax-failure.js';
import { MAX_LOCAL_PART_OCTETS } from './syntax-limits.js';

/** A local part read from the start of an address, and where its `@` is. */
export interface LocalPartScan {
  ok: true;
  localPart: string;
  /** Index of the `@` that ends the local part. */
  atIndex: number;
  /** True when the local part holds non-ASCII characters (needs SMTPUTF8). */
  utf8: boolean;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;
const AT = 0x40;
const SPACE = 0x20;
const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;

/**
 * Reads the local part at the start of `text`: a dot-atom or a quoted string
 * (RFC 5321 §4.1.2), each allowing UTF-8 (RFC 6531 §3.3). One forward pass;
 * it never looks back. Control characters were refused before this runs.
 */
export function scanLocalPart(text: string): LocalPartScan | SyntaxFailure {
  const scan = text.charCodeAt(0) === QUOTE ? scanQuotedString(text) : scanDotAtom(text);
  if (!scan.ok) return scan;
  const octets = utf8Length(scan.localPart);
  if (octets > MAX_LOCAL_PART_OCTETS) return localTooLong(`${octets} octets`);
  return scan;
}

/**
 * A UTF-16 code unit is at least one UTF-8 octet, so once a scan passes this
 * many code units the local part is too long whatever follows: stop there.
 */
function pastLocalLimit(index: number): boolean {
  return index >= MAX_LOCAL_PART_OCTETS;
}

function localTooLong(length: string): SyntaxFailure {
  return syntaxFailure(
    'local_too_long',
    `The local part is ${length} long; the limit is ${MAX_LOCAL_PART_OCTETS} octets.`,
  );
}

function scanDotAtom(text: string): LocalPartScan | SyntaxFailure {
  let utf8 = false;
  let previousWasDot = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === AT) {
      if (i === 0) return syntaxFailure('bad_local_part', 'The local part (before @) is empty.');
      if (previousWasDot) return syntaxFailure('bad_local_part', 'The local part ends with a dot.');
      return { ok: true, localPart: text.slice(0, i), atIndex: i, utf8 };
    }
    if (pastLocalLimit(i)) return localTooLong(`more than ${MAX_LOCAL_PART_OCTETS} octets`);
    if (code === DOT) {
      if (i === 0) return syntaxFailure('bad_local_part', 'The local part starts with a dot.');
      if (previousWasDot) {
        return syntaxFailure('bad_local_part', 'The local part has two dots in a row.');
      }
      previousWasDot = true;
      continue;
    }
    if (code === QUOTE) {
      return previousWasDot
        ? syntaxFailure(
            'obsolete_form',
            'A local part mixing dot-separated atoms and quoted strings is obsolete header syntax, not valid in an SMTP envelope.',
          )
        : syntaxFailure('bad_local_part', 'A quote can only enclose the whole local part.');
    }
    previousWasDot = false;
    if (isAsciiAtext(code)) continue;
    if (code >= 0x80) {
      if (isLowSurrogate(code)) return unpairedSurrogate();
      if (isHighSurrogate(code)) {
        if (!isLowSurrogate(text.charCodeAt(i + 1))) return unpairedSurrogate();
        i++;
      }
      utf8 = true;
      continue;
    }
    return unexpectedAscii(code, 'in the local part');
  }
  return syntaxFailure('no_at_sign', 'The address has no @ after its local part.');
}

function scanQuotedString(text: string): LocalPartScan | SyntaxFailure {
  let utf8 = false;
  for (let i = 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) return afterQuotedString(text, i + 1, utf8);
    if (pastLocalLimit(i)) return localTooLong(`more than ${MAX_LOCAL_PART_OCTETS} octets`);
    if (code === BACKSLASH) {
      const escaped = text.charCodeAt(i + 1);
      if (Number.isNaN(escaped)) break;
      // quoted-pairSMTP is backslash + printable ASCII only; RFC 6531 did not widen it.
      if (escaped < SPACE || escaped > 0x7e) {
        return syntaxFailure(
          'bad_quoted_string',
          'A backslash in a quoted string may only escape a printable ASCII character.',
        );
      }
      i++;
      continue;
    }
    if (isAsciiQtext(code)) continue;
    if (code >= 0x80) {
      if (isLowSurrogate(code)) return unpairedSurrogate();
      if (isHighSurrogate(code)) {
        if (!isLowSurrogate(text.charCodeAt(i + 1))) return unpairedSurrogate();
        i++;
      }
      utf8 = true;
      continue;
    }
    return syntaxFailure('bad_quoted_string', 'The quoted string holds a character it may not.');
  }
  return syntaxFailure('bad_quoted_string', 'The quoted string is never closed.');
}

function afterQuotedString(
  text: string,
  index: number,
  utf8: boolean,
): LocalPartScan | SyntaxFailure {
  const code = text.charCodeAt(index);
  if (code === AT) return { ok: true, localPart: text.slice(0, index), atIndex: index, utf8 };
  if (Number.isNaN(code)) return syntaxFailure('no_at_sign', 'The address has no @.');
  if (code === DOT) {
    return syntaxFailure(
      'obsolete_form',
      'A local part mixing quoted strings and dot-separated atoms is obsolete header syntax, not valid in an SMTP envelope.',
    );
  }
  if (code === SPACE) return unexpectedAscii(code, 'after the quoted string');
  if (code === OPEN_PAREN) return unexpectedAscii(code, 'after the quoted string');
  return syntaxFailure(
    'bad_quoted_string',
    'A quoted string must make up the whole local part and be followed by @.',
  );
}

/** Space and parentheses get their own codes: they are header syntax (FWS, comments). */
function unexpectedAscii(code: number, where: string): SyntaxFailure {
  if (code === SPACE) {
    return syntaxFailure('whitespace', `Whitespace is not allowed ${where} of an address.`);
  }
  if (code === OPEN_PAREN || code === CLOSE_PAREN) {
    return syntaxFailure(
      'comment',
      'Comments in parentheses are header syntax, not valid in an SMTP envelope.',
    );
  }
  return syntaxFailure(
    'bad_local_part',
    `The character '${String.fromCharCode(code)}' is not allowed ${where} unless the local part is quoted.`,
  );
}

function unpairedSurrogate(): SyntaxFailure {
  return syntaxFailure(
    'bad_local_part',
    'The local part holds an unpaired UTF-16 surrogate, which is not valid UTF-8.',
  );
}
