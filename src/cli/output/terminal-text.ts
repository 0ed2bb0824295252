/**
 * Text that reaches a terminal from untrusted sources (addresses, SMTP
 * replies, DNS names, CSV cells, key names) must not drive it. Escaped here:
 * C0 and C1 controls and DEL (ESC and CSI start terminal escape sequences,
 * CR rewrites a line), the Unicode line and paragraph separators, and the
 * bidirectional formatting characters that make text display in an order
 * other than the one it has ("Trojan Source", CVE-2021-42574).
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_KEEP_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One table cell or line: every unsafe character shown as `\xNN` / `\uNNNN`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** A message that may span lines: like `printable`, but LF stays a line break. */
export function printableMessage(text: string): string {
  return text.replace(UNSAFE_KEEP_NEWLINE, escape);
}

/**
 * `JSON.stringify` for output streams: the same JSON value, but C1 controls,
 * DEL, line separators and bidi controls written as `\uNNNN` escapes
 * (JSON.stringify leaves them raw). They can only occur inside strings, so
 * the escapes keep the document equivalent.
 */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
