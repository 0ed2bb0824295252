import type { CreateTableBuilder, Kysely } from 'kysely';
import type { BulkColumn, BulkRow } from './bulk-insert.js';

/**
 * What differs between the dialects, as capability flags. Callers (jobs,
 * server, repositories) check flags, never a dialect name — the kysely habit
 * of `supportsTransactionalDdl` rather than `if (postgres)`.
 */
export interface StoreAdapter {
  /** For logs and `mailvet migrate` output only; do not branch on it. */
  readonly dialectName: 'sqlite' | 'postgres';
  /** `SELECT … FOR UPDATE SKIP LOCKED` (lease claims without blocking). */
  readonly supportsSkipLocked: boolean;
  /** `INSERT/UPDATE … RETURNING`. */
  readonly supportsReturning: boolean;
  /** Several connections write concurrently (else one writer, serialised). */
  readonly supportsMultipleConnections: boolean;
  /** DDL runs inside a transaction (a failed migration rolls back fully). */
  readonly supportsTransactionalDdl: boolean;
  /** Other processes on other machines can share this database. */
  readonly supportsSharedAccess: boolean;
  /**
   * `ALTER TABLE` can drop constraints and change a column's type or
   * collation (SQLite's can only add, rename and drop columns).
   */
  readonly supportsAlterConstraints: boolean;
  /**
   * Add an auto-incrementing integer primary key column: SQLite needs the
   * exact type `integer primary key`, PostgreSQL an identity column.
   */
  addIncrementingId<TB extends string, C extends string>(
    table: CreateTableBuilder<TB, C>,
    column: string,
  ): CreateTableBuilder<TB, C>;
  /**
   * Insert `rows` (values in `columns` order) into `table` in one
   * transaction, by the fastest means the dialect has (a cached prepared
   * multi-row statement on SQLite, `COPY FROM STDIN` on PostgreSQL). For imports
   * of many rows. `db` must be the store's own instance, not a transaction:
   * the rows commit on their own.
   */
  bulkInsert(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    table: string,
    columns: readonly BulkColumn[],
    rows: readonly BulkRow[],
  ): Promise<void>;
  /**
   * Bring the planner's statistics of `table` up to date after a bulk load.
   * PostgreSQL plans with stale row counts until autovacuum gets round to
   * it (a fresh million-row job then exports by bitmap scan + sort per page,
   * ~10× slower); SQLite's planner needs no statistics for these queries.
   */
  refreshStatistics(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    db: Kysely<any>,
    table: string,
  ): Promise<void>;
}
