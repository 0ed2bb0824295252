import { sql, type Kysely } from 'kysely';
import type { Database, EpochMs } from '../store/schema.js';
import type { StoreAdapter } from '../store/store-adapter.js';
import { portableBulkInsert, type BulkColumn, type BulkRow } from '../store/bulk-insert.js';
import { chooseEmailColumn } from '../csv/email-column.js';
import { CSV_CHUNK_ROWS, csvRowChunks, type CsvRow } from './csv-rows.js';
import { JobInputError, JobLimitError } from './job-errors.js';

/** Where a job's addresses come from. */
export type JobInput =
  | {
      kind: 'csv';
      body: AsyncIterable<Buffer | string>;
      /** Header of the address column; guessed when absent. */
      column?: string;
    }
  | { kind: 'emails'; emails: readonly string[] };

export interface ImportLimits {
  maxRows: number;
  maxUploadBytes: number;
}

/** What the import wrote; the job row is updated from it. */
export interface ImportSummary {
  columns: string[];
  emailColumn: number;
  rows: number;
}

/**
 * Rows per bulk insert, each one transaction. Large, because every commit
 * rewrites each claim-index page it touched, and a list's rows are spread
 * over thousands of domains (pages): 25,000 rows per commit writes a fifth
 * of what 5,000 would. The batch is parsed before the insert starts, so a
 * slow upload never holds the database. One batch is written while the next
 * is parsed, so two are in memory (≈ 9 MB each); at 50,000 rows the import's
 * peak RSS passed 300 MB on PostgreSQL for little gain in rate.
 */
export const IMPORT_BATCH_ROWS = 25_000;
/** How often a running import proves it is alive (see JobsTable.import_heartbeat_at). */
export const IMPORT_HEARTBEAT_MS = 5000;

/** How an import shows it is alive; `beat` throws when the job was failed meanwhile. */
export interface ImportHeartbeat {
  clock(): EpochMs;
  beat(): Promise<void>;
}

/** Imports at least this large refresh the planner's statistics (small ones cannot skew it). */
const REFRESH_STATISTICS_ROWS = 10_000;
/** Rows read before the address column is guessed. */
const SAMPLE_ROWS = 50;

/** job_items columns an import writes, in the order toItem() fills them. */
const ITEM_COLUMNS: readonly BulkColumn[] = [
  { name: 'job_id', type: 'text' },
  { name: 'item_no', type: 'bigint' },
  { name: 'cells', type: 'text' },
  { name: 'email', type: 'text' },
  { name: 'dedupe_key', type: 'text' },
  { name: 'domain', type: 'text' },
  { name: 'import_batch', type: 'integer' },
  { name: 'state', type: 'text' },
  { name: 'not_before', type: 'bigint' },
  { name: 'attempts', type: 'integer' },
  { name: 'error', type: 'text' },
  { name: 'done_at', type: 'bigint' },
];

/**
 * Stream the input into job_items in batches of IMPORT_BATCH_ROWS through the
 * adapter's bulk insert (or a portable multi-row INSERT when `adapter` is
 * absent), so memory stays at one batch whatever the size. A record the
 * parser cannot read becomes an `error` item in its place (but an unreadable
 * header fails the import). Afterwards duplicates (same
 * lower-cased address) are pointed at their first occurrence, which alone is
 * verified; its final result is copied to them (see JobQueue.write).
 */
export async function importItems(
  db: Kysely<Database>,
  adapter: Pick<StoreAdapter, 'bulkInsert' | 'refreshStatistics'> | undefined,
  jobId: string,
  input: JobInput,
  limits: ImportLimits,
  now: EpochMs,
  heartbeat: ImportHeartbeat = { clock: () => now, beat: async () => {} },
): Promise<ImportSummary> {
  const source = (
    input.kind === 'csv'
      ? csvRowChunks(input.body, limits.maxUploadBytes)
      : emailChunks(input.emails)
  )[Symbol.asyncIterator]();
  try {
    return await importRows(source, { db, adapter, jobId, input, limits, now, heartbeat });
  } finally {
    // Whatever ended the import (a limit, a bad header, a database error),
    // the reader is ended too: csvRowChunks then lets go of the upload at
    // once, so its owner can discard the rest of it (see discardUpload).
    await source.return(undefined);
  }
}

/** importItems' arguments, for the function doing its work. */
interface ImportJob {
  db: Kysely<Database>;
  adapter: Pick<StoreAdapter, 'bulkInsert' | 'refreshStatistics'> | undefined;
  jobId: string;
  input: JobInput;
  limits: ImportLimits;
  now: EpochMs;
  heartbeat: ImportHeartbeat;
}

async function importRows(
  source: AsyncGenerator<CsvRow[]>,
  { db, adapter, jobId, input, limits, now, heartbeat }: ImportJob,
): Promise<ImportSummary> {
  let chunk: CsvRow[] = [];
  let at = 0;
  /** Make chunk[at] the next row: false at the end. Awaits once per chunk, not per row. */
  const refill = async (): Promise<boolean> => {
    while (at >= chunk.length) {
      const next = await source.next();
      if (next.done) return false;
      chunk = next.value;
      at = 0;
    }
    return true;
  };

  // Header, then a sample to guess the column from. A header that cannot be
  // read fails the import: skipping it would make the first address the
  // header and name every column after someone's data.
  if (!(await refill())) throw new JobInputError('the CSV is empty: a header row is required');
  const first = chunk[at++]!;
  if ('error' in first) throw new JobInputError(`the header row cannot be read: ${first.error}`);
  const header = first.cells;
  const head: CsvRow[] = [];
  while (head.length < SAMPLE_ROWS && (await refill())) head.push(chunk[at++]!);
  const sample = head.flatMap((r) => ('cells' in r ? [r.cells] : []));
  const wanted = input.kind === 'csv' ? input.column : undefined;
  const emailColumn = chooseEmailColumn(header, sample, wanted);
  if (emailColumn < 0) {
    throw new JobInputError(
      wanted !== undefined
        ? `no column named ${JSON.stringify(wanted)} in the CSV header`
        : 'cannot tell which column holds addresses; name it with `column`',
    );
  }

  const insert = (rows: readonly BulkRow[]) =>
    adapter
      ? adapter.bulkInsert(db, 'job_items', ITEM_COLUMNS, rows)
      : portableBulkInsert(db, 'job_items', ITEM_COLUMNS, rows);
  let itemNo = 0;
  let batch: BulkRow[] = [];
  let lastBeat = heartbeat.clock();
  // One batch is written while the next is parsed, so the database and the
  // parser work at the same time (≈ 1.3× the import rate on PostgreSQL);
  // never more than one write in flight, so memory stays at two batches.
  let writing: Promise<void> = Promise.resolve();
  const write = async (rows: BulkRow[]) => {
    await writing;
    writing = insert(rows);
    // Handled here so a failure while the next batch is parsed is not an
    // unhandled rejection; it is still thrown by the next `await writing`.
    writing.catch(() => {});
  };
  /** Add one row; resolves at once unless a batch is due or a heartbeat is. */
  const add = (row: CsvRow): Promise<void> | undefined => {
    if (++itemNo > limits.maxRows) {
      throw new JobLimitError(`a job holds at most ${limits.maxRows} rows`);
    }
    batch.push(toItem(jobId, itemNo, row, emailColumn, now));
    const full = batch.length >= IMPORT_BATCH_ROWS;
    const beat = heartbeat.clock() - lastBeat >= IMPORT_HEARTBEAT_MS;
    return full || beat ? flushAndBeat(full, beat) : undefined;
  };
  const flushAndBeat = async (full: boolean, beat: boolean) => {
    if (full) {
      const rows = batch;
      batch = [];
      await write(rows);
    }
    if (beat) {
      lastBeat = heartbeat.clock();
      await heartbeat.beat();
    }
  };
  try {
    for (const row of head) await add(row);
    while (await refill()) {
      while (at < chunk.length) {
        const pending = add(chunk[at++]!);
        if (pending) await pending;
      }
    }
    await write(batch);
    await writing;
  } catch (err) {
    // The caller deletes the job's rows on failure: a write still in flight
    // must have finished first, or its rows would land after the delete.
    await writing.catch(() => {});
    throw err;
  }
  if (itemNo >= REFRESH_STATISTICS_ROWS) await adapter?.refreshStatistics(db, 'job_items');
  await markDuplicates(db, jobId);
  return { columns: header, emailColumn, rows: itemNo };
}

/** A JSON list of addresses as rows under an `email` header, in chunks like csvRowChunks. */
async function* emailChunks(emails: readonly string[]): AsyncGenerator<CsvRow[]> {
  yield [{ cells: ['email'] }];
  for (let at = 0; at < emails.length; at += CSV_CHUNK_ROWS) {
    yield emails.slice(at, at + CSV_CHUNK_ROWS).map((e) => ({ cells: [e] }));
  }
}

/** The import transaction (0, 1, …) that writes item `itemNo` (1-based). */
const batchOf = (itemNo: number) => Math.floor((itemNo - 1) / IMPORT_BATCH_ROWS);

/** One job_items row in ITEM_COLUMNS order. */
function toItem(
  jobId: string,
  itemNo: number,
  row: CsvRow,
  emailColumn: number,
  now: EpochMs,
): BulkRow {
  if ('error' in row) {
    return [jobId, itemNo, '[]', '', '', '', batchOf(itemNo), 'error', now, 0, row.error, now];
  }
  const email = row.cells[emailColumn] ?? '';
  const key = email.trim().toLowerCase();
  const at = key.lastIndexOf('@');
  const domain = at >= 0 ? key.slice(at + 1) : '';
  const cells = JSON.stringify(row.cells);
  return [jobId, itemNo, cells, email, key, domain, batchOf(itemNo), 'pending', now, 0, null, null];
}

/**
 * Point every later occurrence of an address at the first one. One window
 * pass over the job's items (a sort by dedupe_key) finds the first of each
 * group, and only the duplicates are updated, by primary key: no index on
 * dedupe_key has to be kept up to date during the import.
 */
async function markDuplicates(db: Kysely<Database>, jobId: string): Promise<void> {
  await sql`
    update job_items set canonical_no = dup.first_no
    from (
      select item_no, first_no from (
        select item_no, min(item_no) over (partition by dedupe_key) as first_no
        from job_items where job_id = ${jobId} and state = 'pending'
      ) w where item_no > first_no
    ) dup
    where job_items.job_id = ${jobId} and job_items.item_no = dup.item_no`.execute(db);
}
