import type { Insertable, Kysely } from 'kysely';
import type { Database, EpochMs } from '../store/schema.js';
import type { JobItemsTable } from './job-tables.js';
import { chooseEmailColumn } from '../csv/email-column.js';
import { csvRows, type CsvRow } from './csv-rows.js';
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

/** Rows per INSERT: 10 parameters a row stays under every dialect's parameter limit. */
export const IMPORT_INSERT_ROWS = 1000;
/** INSERTs per transaction: fewer commits, while a crash loses little work. */
const INSERTS_PER_TRANSACTION = 10;
/** Rows read before the address column is guessed. */
const SAMPLE_ROWS = 50;

/**
 * Stream the input into job_items: batched multi-row INSERTs, several per
 * transaction, so memory stays at one batch whatever the size. Malformed
 * records become `error` items in their place. Afterwards duplicates (same
 * lower-cased address) are pointed at their first occurrence, which alone is
 * verified; its final result is copied to them (see JobQueue.write).
 */
export async function importItems(
  db: Kysely<Database>,
  jobId: string,
  input: JobInput,
  limits: ImportLimits,
  now: EpochMs,
): Promise<ImportSummary> {
  const rows: AsyncIterable<CsvRow> =
    input.kind === 'csv'
      ? csvRows(input.body, limits.maxUploadBytes)
      : (async function* () {
          yield { cells: ['email'] };
          for (const e of input.emails) yield { cells: [e] };
        })();
  const iterator = rows[Symbol.asyncIterator]();

  // Header, then a sample to guess the column from.
  let header: string[] | undefined;
  while (!header) {
    const first = await iterator.next();
    if (first.done) throw new JobInputError('the CSV is empty: a header row is required');
    if ('cells' in first.value) header = first.value.cells;
  }
  const head: CsvRow[] = [];
  while (head.length < SAMPLE_ROWS) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
  }
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

  let itemNo = 0;
  let batch: Insertable<JobItemsTable>[] = [];
  let pendingInserts: Insertable<JobItemsTable>[][] = [];
  const flush = async () => {
    if (batch.length > 0) pendingInserts.push(batch);
    batch = [];
    if (pendingInserts.length === 0) return;
    const inserts = pendingInserts;
    pendingInserts = [];
    await db.transaction().execute(async (trx) => {
      for (const values of inserts) await trx.insertInto('job_items').values(values).execute();
    });
  };
  const add = async (row: CsvRow) => {
    if (++itemNo > limits.maxRows) {
      throw new JobLimitError(`a job holds at most ${limits.maxRows} rows`);
    }
    batch.push(toItem(jobId, itemNo, row, emailColumn, now));
    if (batch.length >= IMPORT_INSERT_ROWS) {
      pendingInserts.push(batch);
      batch = [];
      if (pendingInserts.length >= INSERTS_PER_TRANSACTION) await flush();
    }
  };
  for (const row of head) await add(row);
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    await add(next.value);
  }
  await flush();
  await markDuplicates(db, jobId);
  return { columns: header, emailColumn, rows: itemNo };
}

function toItem(
  jobId: string,
  itemNo: number,
  row: CsvRow,
  emailColumn: number,
  now: EpochMs,
): Insertable<JobItemsTable> {
  if ('error' in row) {
    return {
      job_id: jobId,
      item_no: itemNo,
      cells: '[]',
      email: '',
      dedupe_key: '',
      domain: '',
      state: 'error',
      not_before: now,
      attempts: 0,
      error: row.error,
      done_at: now,
    };
  }
  const email = row.cells[emailColumn] ?? '';
  const key = email.trim().toLowerCase();
  const at = key.lastIndexOf('@');
  return {
    job_id: jobId,
    item_no: itemNo,
    cells: JSON.stringify(row.cells),
    email,
    dedupe_key: key,
    domain: at >= 0 ? key.slice(at + 1) : '',
    state: 'pending',
    not_before: now,
    attempts: 0,
  };
}

/** Point every later occurrence of an address at the first one (one indexed statement). */
async function markDuplicates(db: Kysely<Database>, jobId: string): Promise<void> {
  await db
    .updateTable('job_items')
    .set((eb) => ({
      canonical_no: eb
        .selectFrom('job_items as d')
        .select((e) => e.fn.min('d.item_no').as('first'))
        .whereRef('d.job_id', '=', 'job_items.job_id')
        .whereRef('d.dedupe_key', '=', 'job_items.dedupe_key')
        .where('d.state', '=', 'pending'),
    }))
    .where('job_id', '=', jobId)
    .where('state', '=', 'pending')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('job_items as d')
          .select('d.item_no')
          .whereRef('d.job_id', '=', 'job_items.job_id')
          .whereRef('d.dedupe_key', '=', 'job_items.dedupe_key')
          .whereRef('d.item_no', '<', 'job_items.item_no')
          .where('d.state', '=', 'pending'),
      ),
    )
    .execute();
}
