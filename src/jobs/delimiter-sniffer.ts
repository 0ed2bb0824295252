import { Transform, type TransformCallback } from 'node:stream';
import { MAX_CSV_RECORD_BYTES, type CsvDelimiter } from '../csv/csv-dialect.js';
import { holdsLineBreak, sniffDelimiter } from '../csv/sniff-delimiter.js';

/**
 * Passes an upload through unchanged, holding it back only until its header
 * line has arrived, then resolves `delimiter` with what sniffDelimiter reads
 * off it. A CSV parser takes its delimiter when it is built, so the reader
 * awaits `delimiter` before building one and piping this stream into it;
 * what arrives in between waits in this stream's buffer, under the usual
 * backpressure.
 *
 * At most MAX_CSV_RECORD_BYTES (plus the chunk that crossed it) are held: a
 * header line longer than that is refused by the parser anyway. `delimiter`
 * rejects when the stream is destroyed first (an aborted upload), so the
 * reader never waits for a line that will not come.
 */
export class DelimiterSniffer extends Transform {
  readonly delimiter: Promise<CsvDelimiter>;
  #settle!: { resolve: (d: CsvDelimiter) => void; reject: (err: Error) => void };
  /** The head so far; null once the delimiter is known and chunks pass straight through. */
  #held: Buffer[] | null = [];
  #heldBytes = 0;

  constructor() {
    super();
    this.delimiter = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
    // Rejected only when the stream dies before the sniff, and then awaited.
    this.delimiter.catch(() => {});
    // Until the reader has piped this stream on, nothing else listens to it:
    // an aborted upload reaches the reader through `delimiter` instead of
    // crashing the process as an unhandled 'error' event. (The pipeline
    // built afterwards still sees every later error.)
    this.on('error', () => {});
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#held === null) return callback(null, chunk);
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    if (holdsLineBreak(chunk) || this.#heldBytes >= MAX_CSV_RECORD_BYTES) this.#release();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // The whole upload was shorter than one line (or empty).
    if (this.#held !== null) this.#release();
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#settle.reject(err ?? new Error('the upload ended before its header line'));
    callback(err);
  }

  #release(): void {
    const head = Buffer.concat(this.#held!);
    this.#held = null;
    this.#settle.resolve(sniffDelimiter(head));
    if (head.length > 0) this.push(head);
  }
}
