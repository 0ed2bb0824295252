import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { BulkColumn, BulkRow } from '../bulk-insert.js';

/** Rows encoded into one chunk of the COPY stream (≈ 100 kB at job-item widths). */
export const COPY_CHUNK_ROWS = 500;
/** Plain lowercase identifiers only: they go into the COPY statement unquoted-safe. */
const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** Characters COPY's text format gives a meaning to (RFC-less, PostgreSQL docs "COPY: Text Format"). */
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One value in COPY text format: `\N` for null; a backslash, tab, newline or
 * carriage return escaped, so any cell text arrives byte for byte.
 */
export function copyTextField(value: string | number | null): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : value;
}

/** `rows` as COPY text lines, COPY_CHUNK_ROWS per chunk. */
function* copyChunks(rows: readonly BulkRow[]): Generator<string> {
  for (let at = 0; at < rows.length; at += COPY_CHUNK_ROWS) {
    let chunk = '';
    const end = Math.min(rows.length, at + COPY_CHUNK_ROWS);
    for (let r = at; r < end; r++) {
      const row = rows[r]!;
      for (let c = 0; c < row.length; c++) {
        if (c > 0) chunk += '\t';
        chunk += copyTextField(row[c]!);
      }
      chunk += '\n';
    }
    yield chunk;
  }
}

/**
 * `COPY table (columns) FROM STDIN` on `client`: one statement, so the rows
 * commit together or not at all. The server parses plain text lines instead
 * of a bound INSERT's parameter arrays — the fastest way into PostgreSQL.
 */
export async function copyRowsIn(
  client: pg.PoolClient,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly BulkRow[],
): Promise<void> {
  const names = columns.map((c) => c.name);
  for (const n of [table, ...names]) {
    if (!IDENTIFIER.test(n)) throw new Error(`bulkInsert: not a plain identifier: ${n}`);
  }
  const statement = `copy ${table} (${names.join(', ')}) from stdin`;
  await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom(statement)));
}
