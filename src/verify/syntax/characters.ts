/**
 * Character classes of RFC 5321 (envelope) and RFC 6531 (UTF-8 envelope),
 * tested on UTF-16 code units so a scan is one pass without regular
 * expressions.
 */

/** atext (RFC 5322 §3.2.3) minus ALPHA and DIGIT: the specials a dot-atom may hold. */
const ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

/** ASCII atext as a lookup table: the local-part scan tests every character. */
const ASCII_ATEXT = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const isAlnum =
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a);
  ASCII_ATEXT[code] = isAlnum || ATEXT_SPECIALS.includes(String.fromCharCode(code)) ? 1 : 0;
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

export function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isHexDigit(code: number): boolean {
  return isAsciiDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** ASCII atext: letters, digits and the specials above. */
export function isAsciiAtext(code: number): boolean {
  return code < 128 && ASCII_ATEXT[code] === 1;
}

/** qtextSMTP (RFC 5321 §4.1.2): printable ASCII except `"` and `\`, space included. */
export function isAsciiQtext(code: number): boolean {
  return code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c;
}

/** Letter, digit or hyphen: the only characters of an A-label host name. */
export function isLdh(code: number): boolean {
  return isAsciiLetter(code) || isAsciiDigit(code) || code === 0x2d;
}

export function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Characters that must never reach an SMTP command: C0 controls (tab is
 * treated as whitespace instead), DEL, C1 controls, the Unicode line and
 * paragraph separators, the byte-order mark, and the bidirectional controls
 * that can make an address display as something other than what it is.
 */
export function isControlCharacter(code: number): boolean {
  if (code < 0x20) return code !== 0x09;
  if (code >= 0x7f && code <= 0x9f) return true;
  return (
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0xfeff ||
    code === 0x200e ||
    code === 0x200f ||
    code === 0x061c ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * Whitespace that is never part of an envelope address: tab and the Unicode
 * space separators. The ASCII space is judged by context (it is legal inside
 * a quoted string), so it is not included.
 */
export function isForbiddenWhitespace(code: number): boolean {
  return (
    code === 0x09 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** Characters trimmed from both ends of the input: the spaces people paste along. */
export function isTrimmable(code: number): boolean {
  return code === 0x20 || code === 0xfeff || isForbiddenWhitespace(code);
}

/**
 * Length of a string in UTF-8 octets. A lone surrogate counts 3 (it would be
 * sent as U+FFFD); parsers reject lone surrogates before lengths matter.
 */
export function utf8Length(text: string): number {
  let octets = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) octets += 1;
    else if (code < 0x800) octets += 2;
    else if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1))) {
      octets += 4;
      i++;
    } else octets += 3;
  }
  return octets;
}

/** True when every code unit is ASCII. */
export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}
