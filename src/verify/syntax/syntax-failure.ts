import type { SyntaxErrorCode } from './parsed-address.js';

/** The failing half of a ParseResult, also returned by the part parsers. */
export interface SyntaxFailure {
  ok: false;
  error: SyntaxErrorCode;
  message: string;
}

/** Builds a failure; `message` is for humans, `error` is what callers branch on. */
export function syntaxFailure(error: SyntaxErrorCode, message: string): SyntaxFailure {
  return { ok: false, error, message };
}

/** How a code point is shown in a message: printable as itself, others as U+XXXX. */
export function describeCodePoint(codePoint: number): string {
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return hex;
  return `'${String.fromCodePoint(codePoint)}' (${hex})`;
}
