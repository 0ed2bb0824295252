import { finished, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { csvParseOptions, oversizedRecord } from '../csv/csv-dialect.js';
import { DelimiterSniffer } from './delimiter-sniffer.js';
import { JobLimitError } from './job-errors.js';

/** One CSV record, or the reason the parser could not read one. */
export type CsvRow = { cells: string[] } | { error: string };

/** Most rows per chunk yielded by csvRowChunks. */
export const CSV_CHUNK_ROWS = 1000;

/**
 * Stream CSV records from `source`, header included, never holding more than
 * the parser's buffer. The file is read as `mailvet bulk` reads it
 * (csvParseOptions: relaxed quotes, blank lines skipped, UTF-8) with the
 * delimiter sniffed from the header line (`,` `;` or TAB). Records come in
 * chunks of what the parser has ready (up to CSV_CHUNK_ROWS), so a
 * million-row import awaits once per chunk instead of several promises per
 * row. A record the parser cannot read (an unclosed quote) comes back as an
 * `{error}` row in its place. A record over MAX_CSV_RECORD_BYTES throws
 * JobLimitError: the parser cannot resynchronise after one and would drop
 * every later row. More than `maxBytes` of input throws JobLimitError too.
 *
 * A Readable `source` (an HTTP request body) is piped, not iterated, and is
 * let go as soon as this generator ends for any reason, including `return()`
 * by a consumer that gave up: unpiped, paused and without a listener of
 * ours, never destroyed. Its owner can then read and discard the rest of it
 * (see discardUpload), which an async iterator left attached would prevent.
 */
export async function* csvRowChunks(
  source: AsyncIterable<Buffer | string>,
  maxBytes: number,
): AsyncGenerator<CsvRow[]> {
  const input = source instanceof Readable ? source : Readable.from(source);
  const sniffer = new DelimiterSniffer();
  const limiter = byteLimit(maxBytes);
  // pipe() carries data and backpressure but neither errors nor an aborted
  // upload: those fail the import through the sniffer (and so the pipeline).
  const stopWatching = finished(input, { writable: false }, (err) => {
    if (err) sniffer.destroy(err);
  });
  input.pipe(sniffer);
  // Built only once the header line is in: the delimiter is a parser option.
  let parser: ReturnType<typeof parse> | undefined;
  try {
    parser = parse(csvParseOptions(await sniffer.delimiter));
    yield* parsedChunks(sniffer, limiter, parser);
  } finally {
    stopWatching();
    input.unpipe(sniffer);
    sniffer.destroy();
    limiter.destroy();
    parser?.destroy();
    if (input !== source) input.destroy();
  }
}

/** csvRowChunks' records from `parser`, fed by `sniffer` through `limiter`. */
async function* parsedChunks(
  sniffer: DelimiterSniffer,
  limiter: Transform,
  parser: ReturnType<typeof parse>,
): AsyncGenerator<CsvRow[]> {
  // The parser reports a bad record while it parses, which is ahead of what
  // has been read from it (a whole upload chunk of records, often all of a
  // small file, header included). Each error row therefore keeps the count
  // of records the parser had produced before it and is handed out right
  // after that many were read: in its place, never in front of the header.
  const skipped: { after: number; row: CsvRow }[] = [];
  let nextSkipped = 0;
  parser.on('skip', (err: Error & { code?: string; lines?: number }) => {
    const tooLarge = oversizedRecord(err);
    if (tooLarge !== undefined) {
      // Reported again for every later chunk of the same record: refuse once.
      if (!parser.destroyed) {
        parser.destroy(new JobLimitError(`${tooLarge}; nothing was imported`));
      }
      return;
    }
    skipped.push({
      after: parser.info.records,
      row: { error: `malformed row near line ${err.lines ?? '?'}: ${err.message}` },
    });
  });
  let read = 0;
  /** Error rows due before the record after the `read`-th. */
  const dueSkipped = (chunk: CsvRow[]) => {
    while (nextSkipped < skipped.length && skipped[nextSkipped]!.after <= read) {
      chunk.push(skipped[nextSkipped++]!.row);
    }
    if (nextSkipped === skipped.length) skipped.length = nextSkipped = 0;
  };
  const done = pipeline(sniffer, limiter, parser);
  // The pipeline's own rejection is re-raised by iterating the parser.
  done.catch(() => {});
  for await (const first of parser as AsyncIterable<string[]>) {
    const chunk: CsvRow[] = [];
    // Take what is already parsed without a promise per record. (Reading
    // beside the async iterator is safe: it too just calls read().)
    let record: string[] | null = first;
    do {
      dueSkipped(chunk);
      chunk.push({ cells: record });
      read++;
    } while (chunk.length < CSV_CHUNK_ROWS && (record = parser.read() as string[] | null) !== null);
    yield chunk;
  }
  const rest: CsvRow[] = [];
  dueSkipped(rest);
  if (rest.length > 0) yield rest;
  await done;
}

/** Passes bytes through, failing with JobLimitError once more than `maxBytes` went by. */
function byteLimit(maxBytes: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes) callback(new JobLimitError(`upload is larger than ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
}
