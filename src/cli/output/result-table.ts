import type { VerificationResult } from '../../verify/result.js';
import { flagNames } from '../../verify/result-row.js';
import { printable } from './terminal-text.js';

const COLUMNS: { title: string; get: (r: VerificationResult) => string }[] = [
  { title: 'EMAIL', get: (r) => r.email },
  { title: 'STATUS', get: (r) => r.status },
  { title: 'REASON', get: (r) => r.reason },
  { title: 'FLAGS', get: (r) => flagNames(r).join(',') },
  { title: 'MX', get: (r) => r.smtp.mxHost ?? r.dns.mx[0]?.exchange ?? '' },
  { title: 'SUGGESTION', get: (r) => r.suggestion ?? '' },
];

/** A readable fixed-width table of results, one row per address. */
export function formatResultTable(results: VerificationResult[]): string {
  // Cells are untrusted (the address as typed, MX names from DNS): escaped.
  const rows = results.map((r) => COLUMNS.map((c) => printable(c.get(r))));
  const widths = COLUMNS.map((c, i) =>
    Math.min(60, Math.max(c.title.length, ...rows.map((row) => row[i].length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map((c) => c.title)), ...rows.map(line)].join('\n') + '\n';
}
