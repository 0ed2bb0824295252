/**
 * CSV formula injection ("CSV injection", OWASP): a cell starting with `=`,
 * `+`, `-` or `@` (or a tab / CR, which some spreadsheets skip before looking)
 * is run as a formula when the file is opened in Excel, LibreOffice or Google
 * Sheets — `=HYPERLINK(…)` exfiltration, DDE command execution. Prefixing a
 * single quote makes the spreadsheet show the text as text.
 *
 * Applied only to the result columns mailvet fills from untrusted text
 * (see docs/security.md): the input's own columns are copied as read,
 * because silently rewriting a customer's data is worse, and the file already
 * held those cells before mailvet read it.
 *
 * A leaf module (imports nothing) shared by `mailvet bulk` and job exports,
 * so the CLI and the jobs layer apply the same rule without importing each
 * other.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** `'=…` for a cell a spreadsheet would evaluate; anything else unchanged. */
export function guardFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/**
 * Result columns whose text comes from strangers: the address as normalised,
 * the typo suggestion built from it, the MX host name from DNS, and the CSV
 * parser's error (which may quote the row). The others are mailvet's own
 * enums, numbers and timestamps; guarding `-1` would corrupt a number.
 */
export const UNTRUSTED_RESULT_COLUMNS: ReadonlySet<string> = new Set([
  'mv_normalized',
  'mv_suggestion',
  'mv_mx',
  'mv_error',
]);
