import { Command, InvalidArgumentError, Option } from 'commander';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { addEngineOptions, engineConfig } from '../args/engine-options.js';
import { UsageError, type CliIo } from '../cli-io.js';
import { createDefaultVerifier } from '../../verify/default-verifier.js';
import { RESULT_COLUMNS, resultRow } from '../../verify/result-row.js';
import { chooseEmailColumn } from '../../csv/email-column.js';
import { loadResumeState } from '../bulk/resume-state.js';
import { ProgressReporter } from '../bulk/progress-reporter.js';
import { guardFormula, UNTRUSTED_RESULT_COLUMNS } from '../../csv/csv-formula-guard.js';
import {
  csvParseOptions,
  delimiterNamed,
  MAX_CSV_RECORD_BYTES,
  oversizedRecord,
  type CsvDelimiter,
} from '../../csv/csv-dialect.js';
import { sniffDelimiter } from '../../csv/sniff-delimiter.js';

/** Identifies the input row of each output row, so `--resume` knows what is done. */
const LINE_COLUMN = 'mv_line';
/** Set on rows the CSV parser could not read; the run goes on. */
const ERROR_COLUMN = 'mv_error';
/** Rows read to guess the address column. */
const SAMPLE_ROWS = 50;
/** Longest parser message kept in `mv_error` (it may quote the row). */
const MAX_ERROR_TEXT = 200;

interface InputRow {
  line: number;
  cells: string[];
  error?: string;
}

/**
 * `mailvet bulk <in.csv> -o <out.csv>` — verify a CSV with the engine
 * directly (no server). Results are appended as they finish, with the input's
 * columns first; `--resume` continues an interrupted run.
 */
export function bulkCommand(io: CliIo): Command {
  const cmd = new Command('bulk')
    .description('verify every address of a CSV file; results are written as they finish')
    .argument('<input>', 'CSV file with a header row')
    .requiredOption('-o, --output <file>', 'CSV file to write results to')
    .option('--column <name>', 'header of the address column (default: guessed)')
    .addOption(
      new Option(
        '--delimiter <char>',
        'field separator: , ; or tab (default: the one the header line uses most)',
      ).argParser(delimiterOption),
    )
    .option('--resume', 'continue an interrupted run: skip rows already in the output')
    .addOption(new Option('--force', 'overwrite an existing output file').conflicts('resume'))
    .option(
      '--no-formula-guard',
      "write result cells starting with = + - @ as is (default: prefix ' so spreadsheets do not run them)",
    );
  addEngineOptions(cmd);
  cmd.action(async (input: string) => {
    const opts = cmd.opts<{
      output: string;
      column?: string;
      delimiter?: CsvDelimiter;
      resume?: boolean;
      force?: boolean;
      formulaGuard: boolean;
    }>();
    if (!existsSync(input)) throw new UsageError(`input file not found: ${input}`);
    if (existsSync(opts.output) && !opts.resume && !opts.force) {
      throw new UsageError(
        `${opts.output} exists: use --resume to continue it or --force to overwrite it`,
      );
    }
    const delimiter = opts.delimiter ?? (await sniffFile(input));
    const { header, sample, total } = await survey(input, delimiter);
    const column = chooseEmailColumn(header, sample, opts.column);
    if (column < 0) {
      throw new UsageError(
        opts.column
          ? `no column named "${opts.column}" in ${input}`
          : `cannot tell which column holds addresses; use --column`,
      );
    }
    const outHeader = [...header, LINE_COLUMN, ...RESULT_COLUMNS, ERROR_COLUMN];
    const resume = opts.resume
      ? await loadResumeState(opts.output, LINE_COLUMN)
      : { done: new Set<number>(), header: null };
    if (resume.header && resume.header.join('\u0000') !== outHeader.join('\u0000')) {
      throw new UsageError(`${opts.output} was written for a different input (its columns differ)`);
    }
    // Only the appended result columns: an input column may share a name.
    const guarded = new Set(
      opts.formulaGuard
        ? outHeader
            .map((name, i) => (i >= header.length && UNTRUSTED_RESULT_COLUMNS.has(name) ? i : -1))
            .filter((i) => i >= 0)
        : [],
    );
    const out = createWriteStream(opts.output, { flags: resume.header ? 'a' : 'w' });
    const write = async (cells: string[]) => {
      const safe = cells.map((cell, i) => (guarded.has(i) ? guardFormula(cell) : cell));
      if (!out.write(stringify([safe]))) await once(out, 'drain');
    };
    if (!resume.header) await write(outHeader);

    const config = engineConfig(cmd, io);
    const verifier = createDefaultVerifier(config);
    const progress = new ProgressReporter(io.stderr, total, resume.done.size);
    const inFlight = new Map<number, InputRow>();
    const pad = (cells: string[]) => header.map((_, i) => cells[i] ?? '');
    let index = 0;
    async function* addresses(): AsyncGenerator<string> {
      for await (const row of readRows(input, delimiter)) {
        if (resume.done.has(row.line)) continue;
        if (row.error) {
          await write([
            ...pad(row.cells),
            String(row.line),
            ...RESULT_COLUMNS.map(() => ''),
            row.error,
          ]);
          progress.tick();
          continue;
        }
        inFlight.set(index++, row);
        yield row.cells[column] ?? '';
      }
    }
    try {
      for await (const { index: i, result } of verifier.verifyMany(addresses())) {
        const row = inFlight.get(i)!;
        inFlight.delete(i);
        await write([...pad(row.cells), String(row.line), ...resultRow(result), '']);
        progress.tick();
      }
    } finally {
      await verifier.close();
      out.end();
      await once(out, 'close');
    }
    progress.finish();
  });
  return cmd;
}

/** `--delimiter`'s value: `,` `;` `tab` (or a TAB character). */
function delimiterOption(value: string): CsvDelimiter {
  const delimiter = delimiterNamed(value);
  if (delimiter === undefined) throw new InvalidArgumentError('use , ; or tab');
  return delimiter;
}

/**
 * The delimiter the header line uses (sniffDelimiter), read off the start of
 * the file: up to MAX_CSV_RECORD_BYTES, past which the header is refused
 * anyway.
 */
async function sniffFile(path: string): Promise<CsvDelimiter> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(MAX_CSV_RECORD_BYTES), 0);
    return sniffDelimiter(buffer.subarray(0, bytesRead));
  } finally {
    await file.close();
  }
}

/**
 * The input as parsed records, read as job imports read an upload
 * (csvParseOptions). Malformed rows are skipped (and reported by readRows),
 * but two errors stop the run. An over-long record: csv-parse cannot resync
 * after one (it reports the same record again and again and drops the rows
 * after it), and a 64 KiB row is not an address list anyway. And a header
 * that cannot be read: skipping it would make the first data row the header.
 */
function openCsv(path: string, delimiter: CsvDelimiter) {
  const source = createReadStream(path);
  const parser = parse({ ...csvParseOptions(delimiter), info: true });
  parser.on('skip', (err: Error & { code?: string; lines?: number }) => {
    const tooLarge = oversizedRecord(err);
    const fatal =
      tooLarge ??
      (parser.info.records === 0 ? `the header row cannot be read: ${err.message}` : undefined);
    if (fatal === undefined || parser.destroyed) return;
    source.destroy();
    parser.destroy(new UsageError(`${path}: ${fatal}; nothing was verified`));
  });
  return source.pipe(parser);
}

/** Header, a sample for guessing the column, and the record count for progress. */
async function survey(
  path: string,
  delimiter: CsvDelimiter,
): Promise<{ header: string[]; sample: string[][]; total: number }> {
  let header: string[] | null = null;
  const sample: string[][] = [];
  let total = 0;
  const parser = openCsv(path, delimiter);
  // A malformed record still gets its own output row (and progress tick), so
  // it counts toward the total; otherwise progress runs past 100 %.
  parser.on('skip', () => total++);
  for await (const { record } of parser as AsyncIterable<{
    record: string[];
  }>) {
    if (!header) header = record;
    else {
      total++;
      if (sample.length < SAMPLE_ROWS) sample.push(record);
    }
  }
  if (!header) throw new UsageError(`${path} is empty: a header row is required`);
  return { header, sample, total };
}

/** Data rows with their line numbers; unreadable records come back as error rows. */
async function* readRows(path: string, delimiter: CsvDelimiter): AsyncGenerator<InputRow> {
  const parser = openCsv(path, delimiter);
  const skipped: InputRow[] = [];
  parser.on('skip', (err: Error & { lines?: number }) => {
    const why = err.message.slice(0, MAX_ERROR_TEXT);
    skipped.push({ line: err.lines ?? -1, cells: [], error: `malformed row: ${why}` });
  });
  let first = true;
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    while (skipped.length > 0) yield skipped.shift()!;
    if (first) {
      first = false;
      continue;
    }
    yield { line: info.lines, cells: record };
  }
  while (skipped.length > 0) yield skipped.shift()!;
}
