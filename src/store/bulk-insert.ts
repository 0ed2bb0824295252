import { sql, type Kysely } from 'kysely';

/** SQL type of a bulk-inserted column; PostgreSQL needs it to cast each array. */
export type BulkColumnType = 'text' | 'bigint' | 'integer';

/** One column of a bulk insert, in the order of each row's values. */
export interface BulkColumn {
  name: string;
  type: BulkColumnType;
}

/** A row's values in column order: strings, numbers, or null. */
export type BulkRow = readonly (string | number | null)[];

/**
 * Parameters a portable multi-row INSERT may use: under PostgreSQL's 65,535
 * and SQLite's 32,766 limits with room to spare.
 */
export const PORTABLE_MAX_PARAMETERS = 30_000;

/**
 * The portable fallback of `StoreAdapter.bulkInsert`: multi-row INSERTs
 * through kysely, each as large as PORTABLE_MAX_PARAMETERS allows, all in one
 * transaction. Dialects override it with something faster.
 */
export async function portableBulkInsert(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly BulkRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const perInsert = Math.max(1, Math.floor(PORTABLE_MAX_PARAMETERS / columns.length));
  const names = sql.join(columns.map((c) => sql.ref(c.name)));
  await db.transaction().execute(async (trx) => {
    for (let at = 0; at < rows.length; at += perInsert) {
      const values = rows
        .slice(at, at + perInsert)
        .map((row) => sql`(${sql.join(row.map((v) => sql.val(v)))})`);
      await sql`insert into ${sql.table(table)} (${names}) values ${sql.join(values)}`.execute(trx);
    }
  });
}
