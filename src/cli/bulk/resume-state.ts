import {
  appendFileSync,
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readSync,
  truncateSync,
} from 'node:fs';
import { parse } from 'csv-parse';
import { UsageError } from '../cli-io.js';

/**
 * Largest output record read back: an input record (64 KiB) plus the result
 * columns, with room for CSV quoting. A bigger one is not ours.
 */
const MAX_OUTPUT_RECORD_BYTES = 256 * 1024;

export interface ResumeState {
  /** Input line numbers (`mv_line`) that already have a result row. */
  done: Set<number>;
  header: string[] | null;
}

/**
 * Read a previous run's output: which input rows are finished, and cut off a
 * record the crash left half-written (everything after the last complete
 * record), so appending continues a well-formed file.
 */
export async function loadResumeState(outPath: string, lineColumn: string): Promise<ResumeState> {
  const done = new Set<number>();
  if (!existsSync(outPath)) return { done, header: null };
  let header: string[] | null = null;
  let lineIndex = -1;
  let goodBytes = 0;
  const parser = createReadStream(outPath).pipe(
    parse({ info: true, relax_column_count: true, max_record_size: MAX_OUTPUT_RECORD_BYTES }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { bytes: number };
    }>) {
      if (!header) {
        header = record;
        lineIndex = header.indexOf(lineColumn);
        // A UsageError, so the catch below rethrows it: anything else there
        // means "half-written tail" and would truncate someone else's file.
        if (lineIndex < 0)
          throw new UsageError(
            `${outPath} has no ${lineColumn} column; it is not a mailvet bulk output`,
          );
      } else {
        // A record shorter than the header was cut mid-write: stop before it.
        if (record.length < header.length) break;
        const n = Number(record[lineIndex]);
        if (Number.isInteger(n)) done.add(n);
      }
      goodBytes = info.bytes;
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    // A parse error at the tail is the half-written record; keep what parsed.
  }
  truncateSync(outPath, goodBytes);
  // The last complete record may have been cut just before its line break
  // (csv-parse accepts a final record without one): appending straight after
  // it would glue the next record onto the same line.
  if (goodBytes > 0 && !endsWithNewline(outPath, goodBytes)) appendFileSync(outPath, '\n');
  return { done, header };
}

function endsWithNewline(path: string, size: number): boolean {
  const fd = openSync(path, 'r');
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}
