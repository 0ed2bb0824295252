import type { Options } from 'csv-parse';

/**
 * How mailvet reads a CSV, the same for `mailvet bulk` and job imports: both
 * build their parser from csvParseOptions(), so a file never reads one way on
 * the command line and another way through the API.
 *
 * A leaf module (imports only csv-parse's types) shared by the CLI and the
 * jobs layer without either importing the other.
 */

/** Largest CSV record (one row, all fields) accepted: anything bigger is a broken file, not an address list. */
export const MAX_CSV_RECORD_BYTES = 65_536;

/** Field separators mailvet reads: Excel writes `;` where the decimal mark is a comma. */
export type CsvDelimiter = ',' | ';' | '\t';

/**
 * Options for csv-parse.
 *
 * - `relax_quotes`: a stray quote (`a"b`, `"A"b`) is kept as text. Strict
 *   quoting turns such a row into an error that csv-parse cannot step over
 *   cleanly: it dropped the valid rows after it.
 * - `relax_column_count`: a short or long row is still a row; the address is
 *   found by its column index and the other cells are kept as they are.
 * - `record_delimiter`: a line ends at CRLF, LF or CR, mixed in one file
 *   (files get concatenated). Left to itself csv-parse takes the first
 *   ending it meets as the only one and glues lines ending otherwise into a
 *   field: a CRLF blank line in an LF file became a row holding `\r`.
 * - `skip_empty_lines`: a blank line is not an address (it used to become an
 *   `invalid_syntax` row and count against the row limit). A line of only
 *   delimiters is not blank and stays a row, so the output keeps it.
 * - `skip_records_with_error`: the one error left in a relaxed file, a quote
 *   never closed, reaches the reader as a `skip` event instead of an abort.
 *   An over-long record is a `skip` too, but the parser cannot resynchronise
 *   after one (it reports it again and drops every later row): readers must
 *   refuse the file on it (see oversizedRecord).
 * - `bom`: a UTF-8 byte order mark (Excel's "CSV UTF-8") is not part of the
 *   first header name.
 *
 * Input is decoded as UTF-8; bytes that are not UTF-8 become U+FFFD.
 */
export function csvParseOptions(delimiter: CsvDelimiter): Options {
  return {
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_CSV_RECORD_BYTES,
    bom: true,
  };
}

/**
 * The reason to refuse the file when `err` (from a parser's `skip` event) is
 * a record over MAX_CSV_RECORD_BYTES, e.g. `line 3: a record is larger than
 * 64 KiB (65536 bytes), …`; undefined for any other error. The line is where
 * the parser gave up, which is past the start of the record when a quote
 * left open made it run on over many lines: the message says so.
 */
export function oversizedRecord(
  err: Error & { code?: string; lines?: number },
): string | undefined {
  if (err.code !== 'CSV_MAX_RECORD_SIZE') return undefined;
  return `line ${err.lines ?? '?'}: a record is larger than ${MAX_CSV_RECORD_BYTES / 1024} KiB (${MAX_CSV_RECORD_BYTES} bytes), or a quote opened before it was never closed`;
}

/** `,` `;` `tab` (or a literal TAB) as a delimiter; undefined for anything else. */
export function delimiterNamed(name: string): CsvDelimiter | undefined {
  if (name === ',' || name === ';' || name === '\t') return name;
  if (name.toLowerCase() === 'tab') return '\t';
  return undefined;
}
