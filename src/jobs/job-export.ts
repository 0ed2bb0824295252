import type { Kysely, Selectable } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { Database } from '../store/schema.js';
import type { ItemState, JobsTable } from './job-tables.js';
import { RESULT_COLUMNS, resultRow } from '../verify/result-row.js';
import { STATUSES, type VerificationResult } from '../verify/result.js';
import { guardFormula, UNTRUSTED_RESULT_COLUMNS } from '../csv/csv-formula-guard.js';

export type ExportFormat = 'csv' | 'json';

/** Values of the `status` filter: a verification status or an item state without one. */
export const EXPORT_STATUSES = [...STATUSES, 'error', 'pending', 'skipped'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export interface ExportFilter {
  /** Only items with one of these; all items when empty or absent. */
  statuses?: readonly ExportStatus[];
  /**
   * CSV only: prefix `'` to result cells built from untrusted text that a
   * spreadsheet would run as a formula (as `mailvet bulk` does). Default
   * true; false writes raw values for programs. Input columns are never
   * changed, and JSON is never guarded (it is not opened by spreadsheets).
   */
  formulaGuard?: boolean;
}

/** Columns appended after the input's own in a CSV export. */
export const EXPORT_EXTRA_COLUMNS = ['mv_item', 'mv_state', ...RESULT_COLUMNS, 'mv_error'];
/** Positions in EXPORT_EXTRA_COLUMNS of the cells the formula guard applies to. */
const GUARDED_EXTRA = EXPORT_EXTRA_COLUMNS.flatMap((c, i) =>
  UNTRUSTED_RESULT_COLUMNS.has(c) ? [i] : [],
);
/** Items read per page: memory stays at one page whatever the job size. */
export const EXPORT_PAGE_ROWS = 2000;

/**
 * Stream a job's items in input order, original cells first, as CSV text or
 * as one JSON array. Keyset pages over the primary key, so each page is an
 * index range scan and nothing accumulates.
 */
export async function* exportJob(
  db: Kysely<Database>,
  job: Selectable<JobsTable>,
  format: ExportFormat,
  filter: ExportFilter,
): AsyncGenerator<string> {
  const columns = JSON.parse(job.columns) as string[];
  const statuses = filter.statuses ?? [];
  const guard = filter.formulaGuard ?? true;
  const resultStatuses = statuses.filter((s) => (STATUSES as readonly string[]).includes(s));
  const states = statuses.filter((s): s is ItemState & ExportStatus =>
    ['error', 'pending', 'skipped'].includes(s),
  );
  if (states.includes('pending')) states.push('leased' as never);

  // `"name":` prefixes of the JSON row object, made once per export.
  const rowKeys = uniqueColumnNames(columns).map((name) => JSON.stringify(name) + ':');

  if (format === 'csv') yield stringify([[...columns, ...EXPORT_EXTRA_COLUMNS]]);
  else yield '[';
  let after = 0;
  let first = true;
  for (;;) {
    let q = db
      .selectFrom('job_items')
      .select(['item_no', 'cells', 'state', 'result', 'error'])
      .where('job_id', '=', job.id)
      .where('item_no', '>', after);
    if (statuses.length > 0) {
      q = q.where((eb) =>
        eb.or([
          ...(resultStatuses.length > 0
            ? [eb.and([eb('state', '=', 'done'), eb('status', 'in', resultStatuses)])]
            : []),
          ...(states.length > 0 ? [eb('state', 'in', states)] : []),
        ]),
      );
    }
    const page = await q.orderBy('item_no').limit(EXPORT_PAGE_ROWS).execute();
    if (page.length === 0) break;
    after = Number(page[page.length - 1].item_no);
    let chunk = '';
    // CSV rows of the page, stringified in one call (a call per row rebuilt
    // the stringifier's options each time).
    const records: string[][] = [];
    for (const item of page) {
      const cells = JSON.parse(item.cells) as string[];
      const state = item.state === 'leased' ? 'pending' : item.state;
      const done = item.state === 'done' && item.result !== null;
      if (format === 'csv') {
        const padded = columns.map((_, i) => cells[i] ?? '');
        const result = done
          ? resultRow(JSON.parse(item.result!) as VerificationResult)
          : RESULT_COLUMNS.map(() => '');
        const extra = [String(item.item_no), state, ...result, item.error ?? ''];
        if (guard) for (const i of GUARDED_EXTRA) extra[i] = guardFormula(extra[i]);
        records.push([...padded, ...extra]);
      } else {
        const row = '{' + rowKeys.map((k, i) => k + JSON.stringify(cells[i] ?? '')).join(',') + '}';
        // The stored result is already JSON: splice it in instead of re-encoding.
        chunk +=
          (first ? '\n' : ',\n') +
          `{"item":${Number(item.item_no)},"state":${JSON.stringify(state)},"row":${row},` +
          `"result":${done ? item.result : 'null'},"error":${JSON.stringify(item.error)}}`;
        first = false;
      }
    }
    yield format === 'csv' ? stringify(records) : chunk;
    if (page.length < EXPORT_PAGE_ROWS) break;
  }
  if (format === 'json') yield '\n]\n';
}

/**
 * Keys of a JSON export's `row` object, one per input column: a header name
 * repeated in the file (two `email` columns) becomes `email_2`, `email_3`, …
 * so no cell overwrites another — an object cannot hold one key twice, and
 * the verified address must not be replaced by a later column's value.
 */
export function uniqueColumnNames(columns: readonly string[]): string[] {
  const taken = new Set(columns);
  const seen = new Set<string>();
  return columns.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 2;
    while (taken.has(`${name}_${n}`)) n++;
    const unique = `${name}_${n}`;
    taken.add(unique);
    seen.add(unique);
    return unique;
  });
}
