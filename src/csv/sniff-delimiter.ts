import type { CsvDelimiter } from './csv-dialect.js';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** Candidates in the order a tie is settled: `,` first, as RFC 4180 says. */
const CANDIDATES: readonly [CsvDelimiter, number][] = [
  [',', 0x2c],
  [';', 0x3b],
  ['\t', 0x09],
];

/**
 * The delimiter of a CSV, read off its header line: of `,` `;` TAB, the one
 * that occurs most often outside double quotes before the first line break;
 * `,` when none does or the most frequent ones tie. Excel saves "CSV" with
 * `;` in locales whose decimal mark is a comma, and a header names every
 * column, so it holds one delimiter fewer than there are columns and, unlike
 * data, seldom any other candidate.
 *
 * `head` is the start of the file, at least up to its first line break when
 * there is one (a line break inside a quoted header name ends the sniff
 * early; such a header is rare and the part before it still counts). Bytes
 * are counted, not characters: none of the candidates can occur inside a
 * multi-byte UTF-8 sequence, so nothing needs decoding.
 */
export function sniffDelimiter(head: Uint8Array): CsvDelimiter {
  const counts = CANDIDATES.map(() => 0);
  let quoted = false;
  for (const byte of head) {
    if (byte === LF || byte === CR) break;
    if (byte === QUOTE) quoted = !quoted;
    else if (!quoted) {
      const i = CANDIDATES.findIndex(([, code]) => code === byte);
      if (i >= 0) counts[i]!++;
    }
  }
  const most = Math.max(...counts);
  if (most === 0 || counts.filter((n) => n === most).length > 1) return ',';
  return CANDIDATES[counts.indexOf(most)]![0];
}

/** Whether `chunk` holds a line break, i.e. the header line has been read in full by then. */
export function holdsLineBreak(chunk: Uint8Array): boolean {
  return chunk.includes(LF) || chunk.includes(CR);
}
